/**
 * A VM's console output on the host: a bounded tail of qemu's stderr, the tail of a serial log file,
 * and following a detached VM's serial log (a file that grows) as a stream the markers are read from.
 */
import {closeSync, existsSync, openSync, readFileSync, readSync, statSync} from 'node:fs'
import {PassThrough} from 'node:stream'

/** Bounded text buffer. */
export function tailBuffer(max = 16 * 1024) {
  let s = ''
  return {
    push: (t: string) => {
      s = (s + t).slice(-max)
    },
    text: () => s,
  }
}

/** The last `max` characters of a text file; empty when it is unreadable. */
export function readTextTail(path: string, max = 16 * 1024): string {
  try {
    return readFileSync(path, 'utf8').slice(-max)
  } catch {
    return ''
  }
}

/** Follow a growing file (the serial log of a detached VM) into a stream. */
export function followFile(path: string, until: Promise<unknown>): PassThrough & {stopFollowing(): void} {
  const out = Object.assign(new PassThrough(), {stopFollowing: () => (done = true)})
  let pos = 0
  let done = false
  void until.then(() => (done = true))
  const tick = () => {
    try {
      if (existsSync(path)) {
        const size = statSync(path).size
        if (size > pos) {
          const fd = openSync(path, 'r')
          const buf = Buffer.alloc(size - pos)
          readSync(fd, buf, 0, buf.length, pos)
          closeSync(fd)
          pos = size
          out.write(buf)
        }
      }
    } catch {
      // file vanished: the instance was removed
    }
    if (done) out.end()
    else setTimeout(tick, 5)
  }
  tick()
  return out
}
