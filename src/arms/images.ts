/** The images a container arm resolved in prepare(), by name: lower dirs for the overlay, rootfs digest for parity. */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {DEFAULT_IMAGE, imageOf, type WorkloadSpec} from '../core/arm.js'
import {INIT_BINARY, INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'
import {resolveImage, type ResolvedImage} from '../runtime/container/image.js'

export class ResolvedImages {
  private readonly images = new Map<string, ResolvedImage>()

  constructor(private readonly stateDir: string) {}

  /** Resolve (and build or unpack, outside any timed region) every image these workloads run. */
  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    for (const w of workloads) {
      const image = imageOf(w)
      if (!this.images.has(image)) this.images.set(image, await resolveImage(this.stateDir, image))
    }
  }

  has(image: string): boolean {
    return this.images.has(image)
  }

  get(image: string): ResolvedImage {
    const resolved = this.images.get(image)
    if (!resolved) throw new Error(`image ${image} was not prepared`)
    return resolved
  }

  /** The rootfs digest an image resolved to (for parity records); null for a directory rootfs or an image not prepared. */
  digest(image = DEFAULT_IMAGE): string | null {
    return this.images.get(image)?.digest ?? null
  }

  /** One note per image for the arm's info: `image NAME: rootfs DIGEST` (or its directory). */
  notes(): string[] {
    return [...this.images.entries()].map(([name, img]) => `image ${name}: rootfs ${img.digest ?? img.lowerDirs[0]}`)
  }
}

/**
 * What the container and VM arms add to an image's rootfs, outside its digest (the parity record
 * lists them): the injected init, the same binary in every arm (its sha256), and the per-instance
 * /etc files, which not every arm of the spectrum gets (the text names which).
 */
export function injectedFiles(): Array<{path: string; what: string; digest?: string}> {
  const init = existsSync(INIT_BINARY) ? `sha256:${createHash('sha256').update(readFileSync(INIT_BINARY)).digest('hex')}` : undefined
  return [
    {
      path: INIT_PATH_IN_INSTANCE,
      what: 'isobench-init, the instance init (bind-mounted read-only in containers, in the initramfs overlay of the VM)',
      ...(init ? {digest: init} : {}),
    },
    {
      path: '/etc/hosts, /etc/hostname, /etc/resolv.conf',
      what: 'per instance, as Docker writes them: bind mounts from isobench in the container, runc and crun arms, written by the guest init in qemu, by the engine itself in docker and podman; not in chroot, lxc and ctr, whose instances see the image’s own',
    },
  ]
}
