/**
 * What this host can do, checked for real: host facts, cgroup mode, namespaces (by entering them),
 * qemu and KVM (by a probe boot, never by the mere existence of /dev/kvm), runc/crun (by running them).
 * Each check is bounded in time; the whole report stays well under 15 s.
 */
import {existsSync} from 'node:fs'
import {execa} from 'execa'
import type {HostRecord} from '../../core/results.js'
import {probeOciRuntime} from '../../runtime/oci/probe.js'
import {OCI_RUNTIMES, ociRuntime} from '../../runtime/oci/runtimes.js'
import {listWorkloads, missingTools} from '../../workloads/list.js'
import {catalog} from '../../workloads/catalog.js'
import {hostFacts} from '../facts.js'
import {probeKvm, type KvmProbe} from '../kvm.js'
import {spectrumChecks, vmmChecks} from './spectrum.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
  /** What to do about it, when not ok. */
  fix?: string
}

export interface DoctorReport {
  host: HostRecord
  cgroupMode: HostRecord['cgroupMode']
  namespaces: {usable: boolean; detail: string}
  qemu: {present: boolean; version?: string}
  kvm: KvmProbe
  runtimes: Record<string, {present: boolean; works: boolean; version?: string; reason?: string}>
  checks: Check[]
}

const NAMESPACES = ['--pid', '--fork', '--mount', '--uts', '--ipc', '--net', '--cgroup']

export async function namespacesUsable(): Promise<{usable: boolean; detail: string}> {
  const r = await execa('unshare', [...NAMESPACES, '/bin/true'], {reject: false, timeout: 5000})
  return r.exitCode === 0
    ? {usable: true, detail: 'pid, mount, uts, ipc, net and cgroup namespaces can be created'}
    : {usable: false, detail: `unshare ${NAMESPACES.join(' ')} failed: ${(r.stderr || r.shortMessage || 'unknown error').split('\n')[0] ?? ''}`}
}

export async function qemuVersion(): Promise<{present: boolean; version?: string}> {
  if (!existsSync('/usr/bin/qemu-system-x86_64')) return {present: false}
  const r = await execa('qemu-system-x86_64', ['--version'], {reject: false, timeout: 5000})
  return {present: r.exitCode === 0, version: /version ([\d.]+)/.exec(r.stdout)?.[1]}
}

export interface DoctorOptions {
  /** The guest kernel the VM arm would boot (config vm.kernel); default: the one `isobench setup` fetched. */
  kernel?: string
  stateDir?: string
  /** KVM probe time limit (ms). */
  kvmTimeoutMs?: number
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const [host, namespaces, qemu, kvm, probes, spectrum] = await Promise.all([
    hostFacts(),
    namespacesUsable(),
    qemuVersion(),
    probeKvm({timeoutMs: opts.kvmTimeoutMs ?? 3000, kernel: opts.kernel, stateDir: opts.stateDir}),
    Promise.all(OCI_RUNTIMES.map((r) => probeOciRuntime(r.name))),
    spectrumChecks(),
  ])
  const runtimes = Object.fromEntries(probes.map((p) => [p.name, p]))
  const checks: Check[] = [
    {
      name: 'cgroups',
      ok: host.cgroupMode !== 'none',
      detail: `cgroup mode: ${host.cgroupMode}`,
      fix: host.cgroupMode === 'none' ? 'mount cgroups (v2 recommended)' : undefined,
    },
    {
      name: 'namespaces',
      ok: namespaces.usable,
      detail: namespaces.detail,
      fix: namespaces.usable ? undefined : 'run as root on a kernel with namespaces enabled',
    },
    {
      name: 'qemu',
      ok: qemu.present,
      detail: qemu.present ? `qemu-system-x86_64 ${qemu.version ?? ''}`.trim() : 'qemu-system-x86_64 not found',
      fix: qemu.present ? undefined : 'isobench setup (apt package qemu-system-x86)',
    },
    {
      name: 'kvm',
      ok: kvm.usable,
      detail: kvm.reason,
      fix: kvm.usable ? undefined : kvm.present ? 'VM arm will use TCG (software emulation); its figures are labelled so' : 'no /dev/kvm: VM arm will use TCG',
    },
    ...Object.entries(runtimes).map(([name, r]) => ({
      name,
      ok: r.works,
      detail: r.works ? `${name} ${r.version ?? ''} works${r.reason ? ` (${r.reason})` : ''}`.trim() : (r.reason ?? `${name} not working`),
      fix: r.present
        ? undefined
        : ociRuntime(name)?.apt
          ? `isobench setup (apt package ${ociRuntime(name)!.apt!.pkg})`
          : ociRuntime(name)?.install
            ? 'see the README section "Firecracker, Cloud Hypervisor and Kata"'
            : 'isobench setup',
    })),
    ...spectrum,
    ...(await vmmChecks(kvm)),
    workloadToolsCheck(),
  ]
  return {host, cgroupMode: host.cgroupMode, namespaces, qemu, kvm, runtimes, checks}
}

/** Whether every catalog workload's host tools are here; if not, which apt packages bring them. */
function workloadToolsCheck(): Check {
  const profiles = [...catalog().values()]
  const rows = listWorkloads(profiles)
  const missing = missingTools(profiles)
  const ready = rows.filter((r) => r.toolsPresent).length
  return missing
    ? {name: 'workloads', ok: false, detail: `${ready} of ${rows.length} workloads ready; ${missing}`, fix: 'isobench setup'}
    : {name: 'workloads', ok: true, detail: `all ${rows.length} workloads have their host tools (isobench workloads lists them)`}
}
