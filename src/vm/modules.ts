/**
 * The kernel modules a guest needs, and nothing else: virtio transports (mmio for microvm, pci for
 * q35/pc), virtio-net and virtio-blk. Debian's package ships no modules.dep (depmod makes it at
 * install time), so dependencies are read from each module's own `.modinfo` section (`depends=`).
 */
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

/** Modules the guest init loads (their dependencies come along). */
export const GUEST_MODULES = ['virtio_mmio', 'virtio_pci', 'virtio_net', 'virtio_blk'] as const

/** Module name as the kernel spells it (`-` and `_` are the same). */
export function moduleName(file: string): string {
  return file
    .replace(/^.*\//, '')
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/-/g, '_')
}

/** The `depends=` list of a module file's .modinfo section (NUL-separated key=value strings). */
export function modinfoDepends(bytes: Buffer): string[] {
  const key = Buffer.from('\0depends=')
  const i = bytes.indexOf(key)
  if (i < 0) return []
  const start = i + key.length
  const end = bytes.indexOf(0, start)
  const value = bytes.subarray(start, end < 0 ? undefined : end).toString('latin1')
  return value
    .split(',')
    .map((s) => s.trim().replace(/-/g, '_'))
    .filter(Boolean)
}

/**
 * Order `wanted` and their dependencies so that every module comes after what it depends on.
 * `deps(name)` returns a module's direct dependencies; names with no file (built-ins) are skipped
 * by returning null from `exists`.
 */
export function loadOrder(wanted: readonly string[], deps: (name: string) => string[], exists: (name: string) => boolean): string[] {
  const out: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, path: string[]) => {
    const s = state.get(name)
    if (s === 'done') return
    if (s === 'visiting') throw new Error(`module dependency cycle: ${[...path, name].join(' → ')}`)
    if (!exists(name)) {
      state.set(name, 'done') // built into the kernel (or absent): nothing to load
      return
    }
    state.set(name, 'visiting')
    for (const d of deps(name)) visit(d, [...path, name])
    state.set(name, 'done')
    out.push(name)
  }
  for (const w of wanted) visit(w, [])
  return out
}

/** Map module name → file under a `lib/modules/<ver>` tree. */
export function indexModules(modulesRoot: string): Map<string, string> {
  const index = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else if (/\.ko$/.test(entry)) index.set(moduleName(entry), p)
    }
  }
  walk(modulesRoot)
  return index
}

/** The files to pack, dependencies first, as paths relative to modulesRoot. */
export function neededModuleFiles(modulesRoot: string, wanted: readonly string[] = GUEST_MODULES): Array<{name: string; file: string; depends: string[]}> {
  const index = indexModules(modulesRoot)
  const deps = new Map<string, string[]>()
  const depsOf = (name: string) => {
    if (!deps.has(name))
      deps.set(
        name,
        modinfoDepends(readFileSync(index.get(name)!)).filter((d) => index.has(d)),
      )
    return deps.get(name)!
  }
  const order = loadOrder(wanted, depsOf, (name) => index.has(name))
  return order.map((name) => ({name, file: relative(modulesRoot, index.get(name)!), depends: depsOf(name)}))
}

/** Module load order for `wanted`: dependencies first, built-ins (no file) skipped. */
export function modulesToLoad(kernel: {modules: ReadonlyArray<{name: string; depends: string[]}>}, wanted: Set<string>): string[] {
  const byName = new Map(kernel.modules.map((m) => [m.name, m]))
  return loadOrder(
    [...wanted],
    (n) => byName.get(n)?.depends ?? [],
    (n) => byName.has(n),
  )
}
