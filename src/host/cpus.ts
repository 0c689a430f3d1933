/**
 * The host's CPUs, as cgroups and taskset see them: /sys/devices/system/cpu/online (cpuset(7) list
 * format), so that a cpuset or a CPU quota naming CPUs the host does not have is refused before
 * anything starts, the way Docker refuses it ("Requested CPUs are not available", "Range of CPUs is
 * from 0.01 to 2.00, as there are only 2 CPUs available").
 */
import {readFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {z} from 'zod'
import {parseCpuList} from '../core/cpuset.js'

/** The online CPUs' numbers (falls back to 0…n-1 where sysfs does not say). */
export function onlineCpus(): number[] {
  try {
    const r = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'))
    if ('cpus' in r && r.cpus.length > 0) return r.cpus
  } catch {
    // no sysfs
  }
  return Array.from({length: availableParallelism()}, (_, i) => i)
}

/** The online CPUs as the kernel lists them: "0-1". */
export function onlineCpuList(cpus = onlineCpus()): string {
  const parts: string[] = []
  for (let i = 0; i < cpus.length; i++) {
    let j = i
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`)
    i = j
  }
  return parts.join(',')
}

/** Why a cpuset cannot run on this host (unknown syntax or CPUs it does not have), or null when it can. */
export function cpusetProblem(text: string): string | null {
  const r = parseCpuList(text)
  if ('error' in r) return r.error
  const online = new Set(onlineCpus())
  const missing = r.cpus.filter((c) => !online.has(c))
  return missing.length ? `CPU${missing.length > 1 ? 's' : ''} ${missing.slice(0, 8).join(', ')} not available on this host (online: ${onlineCpuList()})` : null
}

/** Why a CPU quota (cores) exceeds this host, or null: Docker's rule, at most the number of CPUs. */
export function cpuQuotaProblem(cores: number): string | null {
  const n = onlineCpus().length
  return cores > n ? `the range of CPUs is from 0.01 to ${n.toFixed(2)}, as there are only ${n} CPUs on this host` : null
}

/** A CPU list (core/cpuset.ts) whose CPUs this host has. */
export const hostCpusetSchema = z.string().superRefine((text, ctx) => {
  const problem = cpusetProblem(text)
  if (problem) ctx.addIssue({code: 'custom', message: problem, input: text})
})
