/**
 * vega-lite spec → SVG string in Node, with no canvas: compile, build a headless vega View
 * (renderer 'none'), `toSVG()`. Text widths come from a per-character table of a Helvetica-like
 * font (vega's default estimate of 0.8 × chars × size overshoots and cuts labels).
 */
import * as vega from 'vega'
import {compile, type TopLevelSpec} from 'vega-lite'

// Advance widths in ems of Helvetica for printable ASCII (space … ~); others 0.6.
const WIDTHS =
  '0.278 0.278 0.355 0.556 0.556 0.889 0.667 0.191 0.333 0.333 0.389 0.584 0.278 0.333 0.278 0.278 ' +
  '0.556 0.556 0.556 0.556 0.556 0.556 0.556 0.556 0.556 0.556 0.278 0.278 0.584 0.584 0.584 0.556 ' +
  '1.015 0.667 0.667 0.722 0.722 0.667 0.611 0.778 0.722 0.278 0.5 0.667 0.556 0.833 0.722 0.778 ' +
  '0.667 0.778 0.722 0.667 0.611 0.722 0.667 0.944 0.667 0.667 0.611 0.278 0.278 0.278 0.469 0.556 ' +
  '0.333 0.556 0.556 0.5 0.556 0.556 0.278 0.556 0.556 0.222 0.222 0.5 0.222 0.833 0.556 0.556 ' +
  '0.556 0.556 0.333 0.5 0.278 0.556 0.5 0.722 0.5 0.5 0.5 0.334 0.26 0.334 0.584'
const ASCII = WIDTHS.split(' ').map(Number)

export function textWidthEm(text: string): number {
  let w = 0
  for (const ch of text) {
    const c = ch.codePointAt(0)!
    w += c >= 32 && c <= 126 ? ASCII[c - 32]! : 0.6
  }
  return w
}

;(vega as unknown as {textMetrics: {width: unknown}}).textMetrics.width = (
  item: {font?: string; fontSize?: number; fontWeight?: string | number},
  text: string,
) => {
  const size = item.fontSize ?? 11
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600
  // × 1.12: Debian's Chromium draws with DejaVu Sans, wider than Helvetica.
  return textWidthEm(String(text ?? '')) * size * (bold ? 1.18 : 1.12)
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // vega-lite's notes about dropped scale properties are not for the reader; errors still throw.
  const view = new vega.View(vega.parse(compile(spec, {logger: vega.logger(vega.Error)}).spec), {renderer: 'none', logLevel: vega.Error})
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
