/**
 * The detached port proxy of a detached container (`container run -d -p …`):
 *   node port-proxy-main.js isobench-port-proxy <container dir> <shim pid> FD:IP:PORT...
 * Serves the listening socket it inherited as fd FD (bound to 127.0.0.1:<host port> by
 * `container run` before the container was created) → IP:PORT, and exits when the container's
 * shim has exited. The container dir in its command line lets `container prune` find it by name.
 */
import {readFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {servePortProxy} from './port-proxy.js'

const [, , , , shim, ...specs] = process.argv
const shimPid = Number(shim)

function shimAlive(): boolean {
  try {
    return readFileSync(`/proc/${shimPid}/cmdline`, 'utf8').includes('isobench-runtime')
  } catch {
    return false
  }
}

for (const spec of specs) {
  const [fd, ip, port] = spec.split(':')
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({fd: Number(fd)}, resolve))
  servePortProxy(server, ip!, Number(port))
}
setInterval(() => {
  if (!shimAlive()) process.exit(0)
}, 500)
