/** Flags and output helpers shared by commands: the state-dir and config flags, human-readable sizes, text tables. */
import {Flags} from '@oclif/core'
import {loadConfig} from '../config/load.js'
import {scaleBytes} from '../report/charts/format.js'
import {ensureOutputDir} from '../core/output-dir.js'
import {oneLine} from '../core/text.js'

export const stateDirFlags = {
  'state-dir': Flags.string({
    description: 'state directory (images, rootfs cache); default: ISOBENCH_STATE_DIR, else the config stateDir (/var/lib/isobench)',
    env: 'ISOBENCH_STATE_DIR',
  }),
  config: Flags.string({description: 'config file (default: ./bench.config.ts)'}),
}

/**
 * --state-dir (or ISOBENCH_STATE_DIR, which oclif maps onto it), else the config's stateDir; made
 * if missing. One that cannot be a folder (under /proc, below a file) is exit 2 naming it; one this
 * user may not write is accepted (commands that need to write say so; runs have fallbacks).
 */
export async function resolveStateDir(flags: {'state-dir'?: string; config?: string}): Promise<string> {
  const dir = flags['state-dir'] || (await loadConfig(process.cwd(), flags.config)).config.stateDir
  checkStateDir(dir, flags['state-dir'] ? '--state-dir' : 'stateDir')
  return dir
}

/** The state dir check of resolveStateDir, for commands that resolve it themselves (run). */
export function checkStateDir(dir: string, what: string): void {
  ensureOutputDir(dir, what, {tolerate: ['EACCES', 'EPERM', 'EROFS']})
}

/** Sizes in listings: "512 B", "1.5 KiB", "120.3 MiB" (one decimal above bytes). */
export function humanBytes(n: number): string {
  const [v, unit] = scaleBytes(n)
  return `${unit === 'B' ? v : v.toFixed(1)} ${unit}`
}

/** Left-aligned text table: header row plus rows, columns padded to the widest cell. */
export function table(header: string[], rows: string[][]): string {
  rows = rows.map((r) => r.map(oneLine)) // names, commands, images: one visible line per cell
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  return [line(header), ...rows.map(line)].join('\n')
}
