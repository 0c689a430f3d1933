/**
 * Port publishing: a userspace TCP proxy on 127.0.0.1:<host port> → <container ip>:<port>
 * (loopback only; like docker-proxy). Runs inside the isobench process that started the container,
 * or as a small detached process for `container run -d` (port-proxy-main.ts).
 */
import {createServer, connect, type Server, type Socket} from 'node:net'

export interface PortProxy {
  /** The host port actually bound (the requested one, or a free one when 0 was asked). */
  port: number
  close(): Promise<void>
}

export function startPortProxy(hostPort: number, targetHost: string, targetPort: number): Promise<PortProxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
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
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: '127.0.0.1', port: hostPort}, () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : hostPort
      resolve({
        port,
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy()
            server.close(() => res())
          }),
      })
    })
  })
}
