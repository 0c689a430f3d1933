import {describe, expect, it} from 'vitest'
import {h, html, jsonForScript, raw} from '../../../src/report/escape.js'

describe('escaping', () => {
  it('escapes text and attribute metacharacters', () => {
    expect(html(`<script>"a" & 'b'</script>`)).toBe('&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;')
    expect(html(undefined)).toBe('')
  })

  it('h`` escapes every interpolation unless it is Safe markup, arrays included', () => {
    const evil = '"><img src=x onerror=alert(1)>'
    const out = h`<td title="${evil}">${[evil, raw('<b>ok</b>')]}</td>`.markup
    expect(out).toBe('<td title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;<b>ok</b></td>')
    expect(out).not.toContain('<img')
  })

  it('JSON for a script block cannot close it or open a comment, and round-trips', () => {
    const value = {a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'line\u2028sep & more', d: Number.NaN}
    const text = jsonForScript(value)
    expect(text).not.toMatch(/<|>|&|\u2028/)
    expect(JSON.parse(text)).toEqual({...value, d: 'NaN'})
  })
})
