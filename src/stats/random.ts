/**
 * A small seeded PRNG (mulberry32) for resampling: bootstrap CIs and permutation p-values are
 * reproducible from the run's recorded seed.
 */
export type Random = () => number

export function mulberry32(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** n values drawn with replacement from `values` (length n = values.length unless given). */
export function resample(values: readonly number[], random: Random, n = values.length): number[] {
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) out[i] = values[Math.floor(random() * values.length)]!
  return out
}

/** A stable 32-bit seed from a string (FNV-1a), so each comparison gets its own stream. */
export function seedFrom(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ seed
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
