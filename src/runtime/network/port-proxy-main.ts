/**
 * The detached port proxy of a detached container (`container run -d -p …`):
 *   node port-proxy-main.js isobench-port-proxy <container dir> <shim pid> HOST:IP:PORT...
 * Serves 127.0.0.1:HOST → IP:PORT and exits when the container's shim has exited. The container
 * dir in its command line lets `container prune` find it by name.
 */
import {readFileSync} from 'node:fs'
import {startPortProxy} from './port-proxy.js'

const [, , , , shim, ...specs] = process.argv
const shimPid = Number(shim)

function shimAlive(): boolean {
  try {
    return readFileSync(`/proc/${shimPid}/cmdline`, 'utf8').includes('isobench-nsexec')
  } catch {
    return false
  }
}

for (const spec of specs) {
  const [host, ip, port] = spec.split(':')
  await startPortProxy(Number(host), ip!, Number(port))
}
setInterval(() => {
  if (!shimAlive()) process.exit(0)
}, 500)
