/** Which filesystems this kernel can mount, from /proc/filesystems (read once per process). */
import {readFileSync} from 'node:fs'

let overlayOk: boolean | null = null

/** Can the kernel mount overlayfs? (The copy fallback is used where it cannot.) */
export function overlaySupported(): boolean {
  if (overlayOk === null) {
    try {
      overlayOk = /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'))
    } catch {
      overlayOk = false
    }
  }
  return overlayOk
}
