/**
 * Build progress on stderr: on a TTY, one live line per step (elapsed time ticking) that settles
 * into "cached" / "done 1.2s"; elsewhere plain lines, one when a step starts and one when it ends.
 */
import type {StepEvent} from './build.js'

export function buildProgress(stream: NodeJS.WriteStream = process.stderr): {onStep: (ev: StepEvent) => void; log: (m: string) => void; stop: () => void} {
  const tty = Boolean(stream.isTTY)
  let timer: NodeJS.Timeout | null = null
  let live: string | null = null
  let started = 0
  const width = () => Math.max(40, (stream.columns ?? 100) - 1)
  const clip = (s: string) => (s.length > width() ? s.slice(0, width() - 1) + '…' : s)
  const clearLive = () => {
    if (tty && live !== null) stream.write('\r\x1b[2K')
  }
  const drawLive = () => {
    if (tty && live !== null) stream.write('\r\x1b[2K' + clip(`${live}  ${((performance.now() - started) / 1000).toFixed(1)}s`))
  }
  const stop = () => {
    if (timer) clearInterval(timer)
    timer = null
  }
  return {
    onStep(ev) {
      const head = `[${ev.index}/${ev.total}] ${ev.text}`
      if (ev.phase === 'start') {
        if (tty) {
          live = head
          started = performance.now()
          drawLive()
          stop()
          timer = setInterval(drawLive, 100)
          timer.unref()
        } else stream.write(head + '\n')
        return
      }
      stop()
      const what = ev.cached === true ? 'cached' : ev.cached === false ? `done ${((ev.ms ?? 0) / 1000).toFixed(2)}s` : 'ok'
      const layer = ev.layer ? ` → ${ev.layer.slice(7, 19)}` : ''
      if (tty) {
        clearLive()
        stream.write(clip(`${head}  ${what}${layer}`) + '\n')
        live = null
      } else stream.write(`[${ev.index}/${ev.total}] ${what}${layer}\n`)
    },
    log(m) {
      clearLive()
      stream.write(m + '\n')
      drawLive()
    },
    stop,
  }
}
