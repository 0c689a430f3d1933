/**
 * Is KVM usable here? Decided by a real probe boot, never by the existence of /dev/kvm.
 *
 * The probe boots the guest kernel the VM arm would boot, under KVM, with no initramfs, and waits
 * for the kernel's own first console line ("Linux version …"), which is printed from 64-bit
 * code after the decompressor has switched to long mode. A healthy KVM host prints it within
 * ~100 ms; under nested PVM (these machines) the guest hangs before it, so the probe times out
 * (3 s by default) and the qemu process is killed. A tiny real-mode guest is NOT enough: it runs
 * fine on these machines although ordinary guests hang (measured: real mode OK, long mode hangs).
 *
 * `-cpu host` is not used by the probe (it aborts here on MSR 0x10a); the VM arm must not use it
 * either unless it probes it the same way.
 *
 * The verdict is cached per boot (keyed by /proc/sys/kernel/random/boot_id and the kernel path)
 * in `<stateDir>/kvm-probe.json`: KVM's usability cannot change without a reboot or a new kernel.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {execa} from 'execa'
import {writeFileAtomicAsync} from './fs.js'

export interface KvmProbe {
  /** /dev/kvm exists. */
  present: boolean
  /** A probe guest booted into its kernel under KVM within the time limit. */
  usable: boolean
  /** One sentence a user can act on. */
  reason: string
  /** How long the probe took (wall clock, ms); 0 when no probe ran. */
  probeMs: number
  /** The verdict came from this boot's cache. */
  cached: boolean
  /** The kernel the probe booted, when it ran. */
  kernel?: string
}

export interface ProbeKvmOptions {
  /** Give up after this long (ms). Default 3000. */
  timeoutMs?: number
  /** Ignore the per-boot cache. */
  force?: boolean
  /** The guest kernel to boot; default: the first of guestKernelCandidates() that exists. */
  kernel?: string
  /** Where the per-boot cache lives; default ISOBENCH_STATE_DIR or /var/lib/isobench. */
  stateDir?: string
  /** Boot the probe under this accelerator instead of KVM: 'tcg' is the control that proves the probe recognises a live kernel. Not cached. */
  accel?: 'kvm' | 'tcg'
}

/** Only this line proves the guest ran 64-bit kernel code. */
const KERNEL_ALIVE = /Linux version \d/

const QEMU = 'qemu-system-x86_64'

/** Where a guest kernel may be, most specific first (the config's vm.kernel is passed explicitly). */
export function guestKernelCandidates(stateDir = defaultStateDir()): string[] {
  const dirs = [join(stateDir, 'vm', 'kernel'), join(stateDir, 'kernel'), join(process.cwd(), 'vm-images', 'cache', 'kernel'), '/boot']
  const found: string[] = []
  for (const dir of dirs) {
    if (!existsSync(dir)) continue
    try {
      // newest version first (lexical order is close enough for Debian's names)
      const names = readdirSync(dir)
        .filter((n) => /^(vmlinuz|bzImage)/.test(n))
        .sort()
        .reverse()
      found.push(...names.map((n) => join(dir, n)))
    } catch {
      // unreadable dir: skip
    }
  }
  return found
}

function defaultStateDir(): string {
  return process.env.ISOBENCH_STATE_DIR || '/var/lib/isobench'
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return 'unknown'
  }
}

interface CacheEntry {
  bootId: string
  kernel: string
  result: Omit<KvmProbe, 'cached'>
}

async function readCache(file: string, kernel: string): Promise<KvmProbe | null> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as CacheEntry
    if (entry.bootId !== bootId() || entry.kernel !== kernel) return null
    return {...entry.result, cached: true}
  } catch {
    return null
  }
}

async function writeCache(file: string, kernel: string, result: KvmProbe): Promise<void> {
  try {
    const {cached: _cached, ...rest} = result
    await writeFileAtomicAsync(file, JSON.stringify({bootId: bootId(), kernel, result: rest} satisfies CacheEntry, null, 2))
  } catch {
    // a read-only state dir only costs a re-probe next time
  }
}

/** Probe KVM (cached per boot). Never takes much longer than timeoutMs. */
export async function probeKvm(opts: ProbeKvmOptions = {}): Promise<KvmProbe> {
  const present = existsSync('/dev/kvm')
  if (!present) return {present, usable: false, reason: 'no /dev/kvm: the VM arm will use TCG (software emulation)', probeMs: 0, cached: false}
  const stateDir = opts.stateDir ?? defaultStateDir()
  const kernel = opts.kernel ?? guestKernelCandidates(stateDir)[0]
  if (!kernel || !existsSync(kernel)) {
    return {
      present,
      usable: false,
      reason: 'KVM present but not probed: no guest kernel to boot yet (`isobench setup` fetches it); the VM arm needs one anyway',
      probeMs: 0,
      cached: false,
    }
  }
  if (opts.accel === 'tcg') return bootProbe(kernel, opts.timeoutMs ?? 3000, 'tcg')
  const cacheFile = join(stateDir, 'kvm-probe.json')
  if (!opts.force) {
    const hit = await readCache(cacheFile, kernel)
    if (hit) return hit
  }
  const result = await bootProbe(kernel, opts.timeoutMs ?? 3000)
  await writeCache(cacheFile, kernel, result)
  return result
}

async function bootProbe(kernel: string, timeoutMs: number, accel: 'kvm' | 'tcg' = 'kvm'): Promise<KvmProbe> {
  const started = performance.now()
  const args = [
    '-accel',
    accel,
    '-M',
    'pc',
    '-m',
    '128',
    '-smp',
    '1',
    '-nodefaults',
    '-no-user-config',
    '-nographic',
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    'stdio',
    '-kernel',
    kernel,
    '-append',
    'console=ttyS0 earlyprintk=serial panic=-1 quiet loglevel=1',
  ]
  const child = execa(QEMU, args, {reject: false, stdin: 'ignore', all: true, buffer: false, forceKillAfterDelay: 500})
  let output = ''
  const alive = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.all?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('latin1')).slice(-4096)
      if (KERNEL_ALIVE.test(output)) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    child.then(() => {
      clearTimeout(timer)
      resolve(KERNEL_ALIVE.test(output))
    })
  })
  const ok = await alive
  const probeMs = Math.round(performance.now() - started)
  child.kill('SIGKILL')
  const done = await child
  const base = {present: true, probeMs, cached: false, kernel}
  if (ok) return {...base, usable: true, reason: `KVM usable: a guest kernel booted under ${accel.toUpperCase()} in ${probeMs} ms`}
  const exited = done.exitCode !== undefined && done.exitCode !== null && !done.isTerminated
  const lastLine =
    output
      .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g, '')
      .trim()
      .split(/\r?\n/)
      .filter(Boolean)
      .at(-1) ?? ''
  const why = exited
    ? `qemu exited with code ${done.exitCode} before the kernel ran${lastLine ? ` (${lastLine.slice(0, 160)})` : ''}`
    : `the probe guest hung: no kernel output under KVM within ${timeoutMs} ms${lastLine ? ` (last: ${lastLine.slice(0, 80)})` : ''}`
  return {...base, usable: false, reason: `KVM present but unusable; VM arm will use TCG — ${why}`}
}

/** The accelerator the VM arm should use for a config value of vm.accel. */
export async function chooseAccel(setting: 'auto' | 'kvm' | 'tcg', opts: ProbeKvmOptions = {}): Promise<{accel: 'kvm' | 'tcg'; probe: KvmProbe | null}> {
  if (setting === 'tcg') return {accel: 'tcg', probe: null}
  const probe = await probeKvm(opts)
  if (setting === 'kvm' && !probe.usable) return {accel: 'kvm', probe}
  return {accel: probe.usable ? 'kvm' : 'tcg', probe}
}
