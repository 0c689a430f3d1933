/**
 * Escaping for the HTML report. Every string that comes from results.json (arm names, workloads,
 * params, versions, command lines, warnings, claims) passes through `html()` or `attr()`; JSON
 * embedded in <script type="application/json"> passes through `jsonForScript()` so no `</script>`,
 * `<!--` or line separator can end the block or start markup.
 */

const HTML_ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;'}

/** Text content or a quoted attribute value. */
export function html(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!)
}

/** JSON that is safe inside <script type="application/json">: no <, >, & or U+2028/2029 unescaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** A tagged template that escapes every interpolation unless it is already `Safe` markup. */
export class Safe {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup
  }
}

export function raw(markup: string): Safe {
  return new Safe(markup)
}

export function h(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0]!
  values.forEach((v, i) => {
    out += interpolate(v) + strings[i + 1]!
  })
  return new Safe(out)
}

function interpolate(v: unknown): string {
  if (v instanceof Safe) return v.markup
  if (Array.isArray(v)) return v.map(interpolate).join('')
  if (v === undefined || v === null || v === false) return ''
  return html(v)
}
