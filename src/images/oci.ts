/**
 * OCI image-spec types and media types (image-spec v1.1), plus the Docker v2 media types we accept on
 * import. Only the fields isobench reads or writes are typed; the rest pass through untouched.
 */
export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const

/** The annotation an OCI layout's index.json uses to name a manifest (skopeo's `oci:DIR:tag`). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: {architecture: string; os: string; variant?: string; 'os.version'?: string}
}

export interface OciIndex {
  schemaVersion: 2
  mediaType?: string
  manifests: Descriptor[]
  annotations?: Record<string, string>
}

export interface OciManifest {
  schemaVersion: 2
  mediaType?: string
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

/** The runtime part of an image config: what an instance of the image runs with. */
export interface OciRunConfig {
  User?: string
  ExposedPorts?: Record<string, Record<string, never>>
  Env?: string[]
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  Volumes?: Record<string, Record<string, never>>
  WorkingDir?: string
  Labels?: Record<string, string>
  StopSignal?: string
}

export interface OciHistory {
  created?: string
  created_by?: string
  comment?: string
  empty_layer?: boolean
}

export interface OciImageConfig {
  created?: string
  author?: string
  architecture: string
  os: string
  config?: OciRunConfig
  rootfs: {type: 'layers'; diff_ids: string[]}
  history?: OciHistory[]
}

/** Host architecture in OCI/Go terms. */
export function ociArch(nodeArch: string = process.arch): string {
  return (
    ({x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64'} as Record<string, string>)[nodeArch] ??
    nodeArch
  )
}

export function isManifestMediaType(mt: string | undefined): boolean {
  return mt === MEDIA.manifest || mt === MEDIA.dockerManifest
}

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MEDIA.index || mt === MEDIA.dockerManifestList
}
