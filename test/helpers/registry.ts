/**
 * A real registry for tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1 at a free
 * port, with htpasswd (bcrypt) basic auth, its own config and storage in a temp dir. Started and
 * stopped by the test; nothing outside its temp dir is touched.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'

export const REGISTRY_BIN = '/usr/bin/docker-registry'
export const HTPASSWD_BIN = '/usr/bin/htpasswd'

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string
  user: string
  password: string
  dir: string
  stop(): Promise<void>
}

export function registryAvailable(): boolean {
  return existsSync(REGISTRY_BIN) && existsSync(HTPASSWD_BIN) && existsSync('/usr/bin/skopeo')
}

/** A port nothing listens on right now (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as {port: number}).port
      srv.close(() => resolve(port))
    })
  })
}

export async function startRegistry(opts: {auth?: boolean} = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-registry-'))
  const user = 'alice'
  const password = 's3cret-pass'
  const auth = opts.auth ?? true
  if (auth) writeFileSync(join(dir, 'htpasswd'), (await execa(HTPASSWD_BIN, ['-Bbn', user, password])).stdout + '\n')
  let child: ChildProcess | null = null
  let host = ''
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    const port = await freePort()
    host = `127.0.0.1:${port}`
    const config = [
      'version: 0.1',
      'log: {level: error}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "${host}", secret: isobench-test}`,
      ...(auth ? [`auth: {htpasswd: {realm: isobench-test, path: ${join(dir, 'htpasswd')}}}`] : []),
    ].join('\n')
    writeFileSync(join(dir, 'config.yml'), config + '\n')
    const c = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {stdio: 'ignore', detached: true})
    let exited = false
    c.once('exit', () => (exited = true))
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && !exited) {
      const ok = await fetch(`http://${host}/v2/`).then(
        (r) => r.status === 401 || r.status === 200,
        () => false,
      )
      if (ok) {
        child = c
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    if (!child && !exited) process.kill(-c.pid!, 'SIGKILL')
  }
  if (!child) throw new Error(`docker-registry did not start on 127.0.0.1 (see ${dir})`)
  const started = child
  return {
    host,
    user,
    password,
    dir,
    async stop() {
      const gone = new Promise((r) => started.once('exit', r))
      try {
        process.kill(-started.pid!, 'SIGTERM')
      } catch {
        // already gone
      }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))])
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
