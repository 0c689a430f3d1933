/**
 * Bridge networking: one bridge `isobench0` (198.18.0.1/15), a veth pair per container (host side
 * `ib-<8 hex>`, container side eth0), addresses leased from 198.18.0.0/15 only — the benchmarking
 * range (RFC 2544), never anything routable. Leases are files `<stateDir>/network/leases/<ip>`
 * holding the container id, created with O_EXCL so concurrent starts never share an address.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'

export const BRIDGE = 'isobench0'
export const BRIDGE_IP = '198.18.0.1'
export const PREFIX_LEN = 15
const FIRST = ipToInt('198.18.0.2')
const LAST = ipToInt('198.19.255.254')

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0)
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}

/** Is this address inside 198.18.0.0/15 (and not the network, broadcast or bridge address)? */
export function isLeasable(ip: string): boolean {
  const n = ipToInt(ip)
  return n >= FIRST && n <= LAST
}

/** Host-side veth name for a container: ≤ 15 chars (IFNAMSIZ), `ib-` + 8 hex of the id. */
export function hostVethName(id: string): string {
  return `ib-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`
}

function leaseDir(stateDir: string): string {
  return join(stateDir, 'network', 'leases')
}

/** Lease the first free address, starting at a point derived from the id (few collisions when many start at once). */
export function leaseAddress(stateDir: string, id: string): string {
  const dir = leaseDir(stateDir)
  mkdirSync(dir, {recursive: true})
  const span = LAST - FIRST + 1
  const start = createHash('sha256').update(id).digest().readUInt32BE(0) % span
  for (let i = 0; i < span; i++) {
    const ip = intToIp(FIRST + ((start + i) % span))
    try {
      writeFileSync(join(dir, ip), id, {flag: 'wx'})
      return ip
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  throw new Error('no free address left in 198.18.0.0/15')
}

export function releaseAddress(stateDir: string, ip: string): void {
  rmSync(join(leaseDir(stateDir), ip), {force: true})
}

/** Leases: ip → container id. */
export function listLeases(stateDir: string): Map<string, string> {
  const dir = leaseDir(stateDir)
  const out = new Map<string, string>()
  if (!existsSync(dir)) return out
  for (const ip of readdirSync(dir)) {
    try {
      out.set(ip, readFileSync(join(dir, ip), 'utf8').trim())
    } catch {
      // raced with a release
    }
  }
  return out
}

let bridgeReady: Promise<void> | null = null

/**
 * Create isobench0 with 198.18.0.1/15 (idempotent). The bridge is shared by every isobench process
 * on the host, and another one's prune deletes it when no port is attached (prune.ts): a bridge
 * made earlier in this process is checked for again, not remembered.
 */
export function ensureBridge(): Promise<void> {
  if (bridgeReady && !existsSync(`/sys/class/net/${BRIDGE}`)) bridgeReady = null
  bridgeReady ??= (async () => {
    if (!existsSync(`/sys/class/net/${BRIDGE}`)) {
      const r = await execa('ip', ['link', 'add', BRIDGE, 'type', 'bridge'], {reject: false})
      if (r.exitCode !== 0 && !existsSync(`/sys/class/net/${BRIDGE}`)) throw new Error(`ip link add ${BRIDGE}: ${r.stderr}`)
    }
    const addr = await execa('ip', ['-o', '-4', 'addr', 'show', 'dev', BRIDGE])
    if (!addr.stdout.includes(`${BRIDGE_IP}/${PREFIX_LEN}`)) {
      await execa('ip', ['addr', 'add', `${BRIDGE_IP}/${PREFIX_LEN}`, 'dev', BRIDGE], {reject: false})
    }
    await execa('ip', ['link', 'set', BRIDGE, 'up'])
  })().catch((error) => {
    bridgeReady = null
    throw error
  })
  return bridgeReady
}

/** The named network namespace (ip netns: /run/netns/<name>) a bridged container joins. */
export function netnsName(id: string): string {
  return `isobench-${id}`
}

/**
 * A bridged container's network, made before the container (as CNI does for containerd and
 * podman): a named network namespace with lo up and eth0 on the bridge with `ip`; the container's
 * config.json joins it by path. Returns the host veth and the namespace's path.
 */
export async function createBridgedNetns(id: string, ip: string): Promise<{hostVeth: string; path: string}> {
  await ensureBridge()
  const name = netnsName(id)
  await execa('ip', ['netns', 'add', name])
  const veth = hostVethName(id)
  await execa('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name])
  // Another process's prune may delete the bridge between ensureBridge and here (it sees no port
  // attached yet): make it again and retry, a few times.
  for (let attempt = 1; ; attempt++) {
    const r = await execa('ip', ['link', 'set', veth, 'master', BRIDGE, 'up'], {reject: false})
    if (r.exitCode === 0) break
    if (attempt >= 3 || existsSync(`/sys/class/net/${BRIDGE}`)) throw new Error(`ip link set ${veth} master ${BRIDGE} up: ${r.stderr.slice(0, 2000)}`)
    await ensureBridge()
  }
  const batch = ['link set lo up', `addr add ${ip}/${PREFIX_LEN} dev eth0`, 'link set eth0 up', `route add default via ${BRIDGE_IP}`].join('\n')
  await execa('ip', ['-n', name, '-batch', '-'], {input: batch + '\n'})
  return {hostVeth: veth, path: `/run/netns/${name}`}
}

/** Remove a bridged container's named network namespace (its veth pair goes with it). */
export async function deleteNetns(id: string): Promise<void> {
  if (existsSync(`/run/netns/${netnsName(id)}`)) await execa('ip', ['netns', 'delete', netnsName(id)], {reject: false})
}

/** Host veths we created (`ib-*`). */
export function listHostVeths(): string[] {
  try {
    return readdirSync('/sys/class/net').filter((n) => /^ib-[0-9a-f]{8}$/.test(n))
  } catch {
    return []
  }
}

/** Interfaces attached to isobench0 (container veths, VM taps). */
export function bridgePorts(): string[] {
  try {
    return readdirSync(`/sys/class/net/${BRIDGE}/brif`)
  } catch {
    return []
  }
}

export async function deleteLink(name: string): Promise<void> {
  if (existsSync(`/sys/class/net/${name}`)) await execa('ip', ['link', 'del', name], {reject: false})
}
