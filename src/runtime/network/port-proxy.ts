/**
 * Port publishing: a userspace TCP proxy on 127.0.0.1:<host port> → <container ip>:<port>
 * (loopback only; like docker-proxy). Runs inside the isobench process that started the container,
 * or as a small detached process for `container run -d` (port-proxy-main.ts), which
 * inherits the listening socket bound here.
 *
 * A host port is bound before anything of the container exists (reservePorts), so a port held by
 * anything on the host (another container, any process) refuses the run with Docker's messages and
 * leaves nothing behind.
 */
import {createServer, connect, type Server, type Socket} from 'node:net'
import {IsobenchError} from '../../core/errors.js'

export interface PortProxy {
  /** The host port actually bound (the requested one, or a free one when 0 was asked). */
  port: number
  close(): Promise<void>
}

export const PUBLISH_HOST = '127.0.0.1'

/**
 * A host port another container of ours or another process holds. Docker's wording
 * (moby daemon/libnetwork/portallocator/portallocator.go for a port its allocator gave to another
 * container; daemon/libnetwork/drivers/bridge port mapping for a port bound outside Docker). Exit 1.
 */
export class PortInUseError extends IsobenchError {
  constructor(
    readonly port: number,
    byContainer: string | null,
  ) {
    super(
      byContainer
        ? `Bind for ${PUBLISH_HOST}:${port} failed: port is already allocated (container ${byContainer})`
        : `failed to bind host port ${PUBLISH_HOST}:${port}/tcp: address already in use`,
      'port-allocated',
      1,
    )
  }
}

/** Listen on 127.0.0.1:port (0: any free port); rejects with the listen error. */
export function bindPort(port: number): Promise<Server> {
  const server = createServer()
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: PUBLISH_HOST, port}, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

/**
 * Bind every requested host port, in order; on the first one taken, close what was bound and throw
 * PortInUseError (ownerOf names the container of ours holding it, if one does). A port given twice
 * in one list is refused the same way.
 */
export async function reservePorts(ports: number[], ownerOf: (port: number) => string | null = () => null): Promise<Server[]> {
  const servers: Server[] = []
  try {
    for (const port of ports) {
      try {
        servers.push(await bindPort(port))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, ownerOf(port))
        throw error
      }
    }
    return servers
  } catch (error) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
    throw error
  }
}

/** The fd of a listening server (to hand it to the detached proxy process). */
export function serverFd(server: Server): number {
  const fd = (server as unknown as {_handle?: {fd?: number}})._handle?.fd
  if (typeof fd !== 'number' || fd < 0) throw new Error('no fd for the listening socket')
  return fd
}

/** Proxy the connections of a bound server to targetHost:targetPort. */
export function servePortProxy(server: Server, targetHost: string, targetPort: number): PortProxy {
  const sockets = new Set<Socket>()
  server.on('connection', (client) => {
    const upstream = connect({host: targetHost, port: targetPort})
    sockets.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  const addr = server.address()
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy()
        server.close(() => res())
      }),
  }
}

export async function startPortProxy(hostPort: number, targetHost: string, targetPort: number): Promise<PortProxy> {
  return servePortProxy(await bindPort(hostPort), targetHost, targetPort)
}
