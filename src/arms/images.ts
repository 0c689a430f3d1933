/** The images a container arm resolved in prepare(), by name: lower dirs for the overlay, rootfs digest for parity. */
import {DEFAULT_IMAGE, imageOf, type WorkloadSpec} from '../core/arm.js'
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
