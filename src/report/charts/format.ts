/** Number formatting for the report and compare output: figures with units, ratios, CIs, percentages. */

/** 3 significant digits, no exponent for ordinary magnitudes. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–'
  const a = Math.abs(x)
  if (a === 0) return '0'
  if (a >= 1000) return x.toFixed(0)
  if (a >= 100) return x.toFixed(1).replace(/\.0$/, '')
  if (a >= 10) return x.toFixed(1)
  if (a >= 1) return x.toFixed(2)
  if (a >= 0.01) return x.toFixed(3)
  return x.toPrecision(2)
}

export function withUnit(x: number | null | undefined, unit: string): string {
  return unit ? `${num(x)} ${unit}` : num(x)
}

/** "1.23× [1.10–1.40×]". */
export function ratioText(ratio: number | null, ci: [number, number] | null | undefined): string {
  const ok = Array.isArray(ci) && Number.isFinite(ci[0]) && Number.isFinite(ci[1])
  if (ratio === null || !Number.isFinite(ratio)) return '–'
  return `${num(ratio)}×${ok ? ` [${num(ci![0])}–${num(ci![1])}×]` : ' [no CI]'}`
}

/** Signed percentage change from a ratio: 1.05 → "+5.0%". */
export function changePct(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–'
  const p = (ratio - 1) * 100
  return `${p >= 0 ? '+' : '−'}${Math.abs(p) >= 10 ? Math.abs(p).toFixed(0) : Math.abs(p).toFixed(1)}%`
}

/** "[−2.0% … +7.5%]" from a ratio CI. */
export function changeCi(ci: [number, number] | null | undefined): string {
  if (!ci || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return '[no CI]'
  return `[${changePct(ci[0])} … ${changePct(ci[1])}]`
}

export function paramsText(params: Record<string, unknown> | undefined): string {
  const entries = Object.entries(params ?? {})
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(', ') : ''
}

/** A byte count in the largest binary unit it reaches: [value, unit], e.g. 1536 → [1.5, 'KiB']. */
export function scaleBytes(n: number): [number, 'B' | 'KiB' | 'MiB' | 'GiB' | 'TiB'] {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const
  let i = 0
  let x = n
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024
    i++
  }
  return [x, units[i]!]
}

/** "1.5 KiB", "12 MiB" (no decimal from 10 up); '–' for nothing. */
export function bytes(n: number | undefined): string {
  if (!n || !Number.isFinite(n)) return '–'
  const [x, unit] = scaleBytes(n)
  return `${x.toFixed(x >= 10 ? 0 : 1)} ${unit}`
}

export function betterText(direction: 'lower' | 'higher' | undefined): string {
  return direction === 'higher' ? 'higher is better ↑' : 'lower is better ↓'
}

/** A comparison's estimate: "1.23× [1.10–1.40×]", or "Δ +0.040 cores [0.030–0.050]" when the baseline median is 0. */
export function estimateText(c: {
  ratio: number | null
  ci: [number, number] | null
  basis?: string
  difference?: number
  differenceCi?: [number, number]
  unit: string
}): string {
  if (c.basis === 'difference' && typeof c.difference === 'number') {
    const ci = c.differenceCi && Number.isFinite(c.differenceCi[0]) ? ` [${num(c.differenceCi[0])}–${num(c.differenceCi[1])}]` : ''
    return `Δ ${c.difference >= 0 ? '+' : ''}${num(c.difference)} ${c.unit}${ci}`
  }
  return ratioText(c.ratio, c.ci)
}
