/** A VM's network identities on the host: a free loopback port for a forward, a stable MAC per instance. */
import {createHash} from 'node:crypto'
import {createServer} from 'node:net'

/** A TCP port on 127.0.0.1 that is free now (for a user-mode network forward). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** A stable locally administered MAC for a VM (52:54:00, QEMU's prefix, + 3 bytes of the id's hash). */
export function macFor(id: string): string {
  const h = createHash('sha256').update(id).digest()
  return ['52', '54', '00', ...[h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, '0'))].join(':')
}
