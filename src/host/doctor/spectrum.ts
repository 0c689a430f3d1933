/**
 * doctor's checks for the isolation spectrum's arms beyond the OCI runtimes (those are in doctor.ts,
 * runsc's platform included): chroot (what it needs), LXC (a trial container under a deadline), the
 * engines (their binaries and versions, and how they run on this host's cgroups; their daemons are
 * started by a run, not by doctor), and the VMMs of the table that need KVM (Firecracker, Cloud
 * Hypervisor: probed; they run only with a KVM that boots a guest, and their launch was never run
 * on isobench's build hosts, which have none).
 */
import {existsSync} from 'node:fs'
import {execa} from 'execa'
import {overlaySupported} from '../filesystems.js'
import type {KvmProbe} from '../kvm.js'
import {detectCgroupLayout} from '../../runtime/cgroups/cgroups.js'
import {probeLxc} from '../../runtime/lxc/probe.js'
import {NOT_RUN_HERE, VMMS, probeVmm} from '../../vm/vmms.js'
import type {Check} from './doctor.js'

const ENGINES: Array<{name: string; bins: Array<[string, string]>; version: string[]}> = [
  {
    name: 'podman',
    bins: [
      ['podman', 'podman'],
      ['conmon', 'conmon'],
    ],
    version: ['podman', '--version'],
  },
  {
    name: 'ctr',
    bins: [
      ['ctr', 'containerd'],
      ['containerd', 'containerd'],
    ],
    version: ['containerd', '--version'],
  },
  {
    name: 'docker',
    bins: [
      ['dockerd', 'docker.io'],
      ['containerd', 'containerd'],
    ],
    version: ['dockerd', '--version'],
  },
]

/** chroot, lxc and the engine arms, each one check. */
export async function spectrumChecks(): Promise<Check[]> {
  const hybrid = detectCgroupLayout().mode === 'hybrid'
  const root = process.getuid?.() === 0
  const chroot: Check =
    !root || !existsSync('/usr/sbin/chroot') || !overlaySupported()
      ? {
          name: 'chroot',
          ok: false,
          detail: !root ? 'the chroot arm needs root (mounts, chroot(2))' : !existsSync('/usr/sbin/chroot') ? '/usr/sbin/chroot not found' : 'no overlayfs',
          fix: 'run as root with coreutils and overlayfs',
        }
      : {name: 'chroot', ok: true, detail: "chroot(8) into an overlay of the image, only the measurement's own cgroup"}
  const lxc = await probeLxc()
  const engines = await Promise.all(
    ENGINES.map(async (e): Promise<Check> => {
      for (const [bin, pkg] of e.bins) {
        const r = await execa('sh', ['-c', `command -v ${bin}`], {reject: false})
        if (!r.stdout.trim()) return {name: e.name, ok: false, detail: `${bin} not found`, fix: `isobench setup (apt package ${pkg})`}
      }
      const v = await execa(e.version[0]!, e.version.slice(1), {reject: false, timeout: 5000})
      const version = /version\s+v?(\S+?),?\s/.exec(`${v.stdout} `)?.[1] ?? /(\d+\.\d+\.\d+\S*)/.exec(v.stdout)?.[1] ?? 'unknown'
      const notes = [
        e.name === 'podman' ? 'no daemon; private storage per run' : 'a private daemon per run (own root, socket, cgroup), started before the timed region',
        e.name === 'podman' ? `runs runc${hybrid ? " (crun, Debian podman's default, refuses these hybrid cgroups)" : ''}` : 'runs runc',
      ]
      return {name: e.name, ok: root, detail: `${e.name} ${version}: ${notes.join('; ')}`, fix: root ? undefined : 'run as root'}
    }),
  )
  return [
    chroot,
    {name: 'lxc', ok: lxc.works, detail: lxc.reason ?? `lxc ${lxc.version ?? ''}`, fix: lxc.present ? undefined : 'isobench setup (apt package lxc)'},
    ...engines,
  ]
}

/** The VMMs that need KVM (Firecracker, Cloud Hypervisor): installed? and can KVM boot a guest here? */
export async function vmmChecks(kvm: KvmProbe): Promise<Check[]> {
  const out: Check[] = []
  for (const vmm of VMMS.filter((v) => v.needsKvm)) {
    const p = await probeVmm(vmm, kvm)
    const detail = p.works ? p.reason : `${p.reason} (${NOT_RUN_HERE})`
    out.push({name: vmm.name, ok: p.works, detail, fix: p.present ? undefined : 'see the README section "Firecracker, Cloud Hypervisor and Kata"'})
  }
  return out
}
