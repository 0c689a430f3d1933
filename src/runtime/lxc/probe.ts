/**
 * Does LXC run a container here, as the lxc arm runs it? A trial `lxc-start -F -- /bin/busybox true`
 * of a busybox rootfs with the arm's config (overlay rootfs, no network, unconfined AppArmor, the
 * cgroup keys of this host's layout), in a temp lxcpath, under a kill deadline. doctor asks this.
 */
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {CGROUP_PARENT, detectCgroupLayout} from '../cgroups/cgroups.js'
import {lxcConfig} from './config.js'
import {removeCgroupTreeNow} from './lxc.js'

export interface LxcProbe {
  present: boolean
  works: boolean
  version?: string
  reason?: string
}

export async function probeLxc(timeoutMs = 15_000): Promise<LxcProbe> {
  const v = await execa('lxc-start', ['--version'], {reject: false, timeout: 5000})
  if (v.exitCode !== 0) return {present: false, works: false, reason: 'lxc-start not found (apt package lxc; run `isobench setup`)'}
  const version = v.stdout.trim()
  if (process.getuid?.() !== 0) return {present: true, works: false, version, reason: 'needs root'}
  const dir = mkdtempSync(join(tmpdir(), 'isobench-probe-lxc-'))
  const name = `probe-${process.pid}`
  const cgroup = `lxc-probe-${process.pid}`
  try {
    const rootfs = join(dir, 'rootfs')
    mkdirSync(join(rootfs, 'bin'), {recursive: true})
    for (const d of ['proc', 'sys', 'dev', 'tmp']) mkdirSync(join(rootfs, d))
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'))
    mkdirSync(join(dir, 'layer', 'upper'), {recursive: true})
    mkdirSync(join(dir, 'path', name), {recursive: true})
    const mode = detectCgroupLayout().mode
    const config = lxcConfig({
      name,
      lowerDirs: [rootfs],
      upperDir: join(dir, 'layer', 'upper'),
      env: {},
      limits: {memoryMiB: 64},
      cgroupDir: `${CGROUP_PARENT}/${cgroup}`,
      cgroupMode: mode,
    })
    writeFileSync(join(dir, 'path', name, 'config'), config)
    const r = await execa('lxc-start', ['-P', join(dir, 'path'), '-n', name, '-F', '--', '/bin/busybox', 'true'], {
      reject: false,
      all: true,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    })
    if (r.exitCode === 0)
      return {
        present: true,
        works: true,
        version,
        reason: `lxc ${version}: lxc-start -F, overlay rootfs, cgroups ${mode} (${mode === 'v2' ? 'lxc.cgroup2' : 'lxc.cgroup'} keys)`,
      }
    const out = (r.all ?? '').trim().split('\n').slice(-2).join(' ').slice(0, 300)
    return {
      present: true,
      works: false,
      version,
      reason: `lxc could not run a test container${r.timedOut ? ' (killed at the deadline)' : ''}: ${out || `exit ${r.exitCode}`}`,
    }
  } finally {
    await removeCgroupTreeNow(`/${CGROUP_PARENT}/${cgroup}`)
    rmSync(dir, {recursive: true, force: true})
  }
}
