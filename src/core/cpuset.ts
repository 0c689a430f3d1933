/**
 * A cpuset as the kernel writes it (cpuset(7) "List format"): "0", "0-3", "0,2,4-7" — comma-separated
 * CPU numbers and ascending ranges. Parsed here without the host; whether the CPUs exist is the
 * host's to say (host/cpus.ts).
 */
import {z} from 'zod'

/** The kernel's own cap on CPU numbers (NR_CPUS is at most 8192 on x86_64). */
export const MAX_CPU = 8191

/** The CPU numbers of a list, or a reason it is not one. */
export function parseCpuList(text: string): {cpus: number[]} | {error: string} {
  const cpus = new Set<number>()
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text.trim())) return {error: 'expected a CPU list like "0", "0-1" or "0,2-3"'}
  for (const part of text.trim().split(',')) {
    const [a, b = a] = part.split('-').map(Number) as [number, number?]
    if (b! < a) return {error: `range ${part} runs backwards`}
    if (b! > MAX_CPU) return {error: `CPU ${b} is beyond any kernel's CPUs (at most ${MAX_CPU})`}
    for (let c = a; c <= b!; c++) cpus.add(c)
  }
  return {cpus: [...cpus].sort((x, y) => x - y)}
}

/** A zod string that is a CPU list (syntax and ranges; not the host's CPUs). */
export const cpusetSchema = z.string().superRefine((text, ctx) => {
  const r = parseCpuList(text)
  if ('error' in r) ctx.addIssue({code: 'custom', message: r.error, input: text})
})
