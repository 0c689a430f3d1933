/**
 * The device allowlist every container gets (OCI linux.resources.devices), and which cgroup
 * mechanism enforces it: the v1 devices controller (devices.allow/devices.deny) or, where only
 * cgroup2 has it, a BPF_PROG_TYPE_CGROUP_DEVICE program. The helper applies the rules
 * (src/runtime/native/devices.c); the runc/crun arms get the same list in config.json.
 */

/** runtime-spec config-linux.md "Device allowlist" entry; absent major/minor mean any, absent access rwm. */
export interface OciDeviceRule {
  allow: boolean
  type?: 'a' | 'b' | 'c'
  major?: number
  minor?: number
  access?: string
}

const allow = (type: 'b' | 'c', major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceRule => ({
  allow: true,
  type,
  ...(major === undefined ? {} : {major}),
  ...(minor === undefined ? {} : {minor}),
  access,
})

/** The character devices the list names, by their /dev name (the kernel's Documentation/admin-guide/devices.txt). */
const CHAR_DEVICES = {
  null: {major: 1, minor: 3},
  zero: {major: 1, minor: 5},
  full: {major: 1, minor: 7},
  random: {major: 1, minor: 8},
  urandom: {major: 1, minor: 9},
  tty: {major: 5, minor: 0},
  console: {major: 5, minor: 1},
  ptmx: {major: 5, minor: 2},
  tun: {major: 10, minor: 200},
  fuse: {major: 10, minor: 229},
}

/** rwm on each named character device, in the order given. */
const allowChar = (...names: Array<keyof typeof CHAR_DEVICES>): OciDeviceRule[] => names.map((n) => allow('c', CHAR_DEVICES[n].major, CHAR_DEVICES[n].minor))

/**
 * What a `docker run` container gets, in order: Docker's default spec (moby
 * daemon/pkg/oci/defaults.go, DefaultLinuxSpec: deny all; zero, null, urandom, random, tty,
 * console; deny fuse 10:229), then the rules runc appends to every container (runc
 * libcontainer/specconv/spec_linux.go, AllowedDevices: mknod of any char and block device; null,
 * random, full, tty, zero, urandom; /dev/pts 136:*; ptmx 5:2; tun 10:200). Reduced as the kernel
 * does, anything not listed can be neither opened nor written: not /dev/kmsg (1:11), not loop or
 * disk devices, not /dev/mem. Making a node (mknod, "m") is allowed for any device, as in Docker;
 * opening it is what the list refuses.
 */
export const DEFAULT_DEVICE_RULES: OciDeviceRule[] = [
  // moby's DefaultLinuxSpec
  {allow: false, access: 'rwm'},
  ...allowChar('zero', 'null', 'urandom', 'random', 'tty', 'console'),
  {allow: false, type: 'c', ...CHAR_DEVICES.fuse, access: 'rwm'},
  // runc's AllowedDevices
  allow('c', undefined, undefined, 'm'),
  allow('b', undefined, undefined, 'm'),
  ...allowChar('null', 'random', 'full', 'tty', 'zero', 'urandom'),
  allow('c', 136, undefined), // /dev/pts/*
  ...allowChar('ptmx', 'tun'),
]

/** The helper's --device-rule text, "allow|deny TYPE MAJOR:MINOR ACCESS" (the v1 file syntax with the verb in front). */
export function deviceRuleText(r: OciDeviceRule): string {
  const num = (n: number | undefined) => (n === undefined || n < 0 ? '*' : String(n))
  return `${r.allow ? 'allow' : 'deny'} ${r.type ?? 'a'} ${num(r.major)}:${num(r.minor)} ${r.access || 'rwm'}`
}

export type DeviceCgroupMode = 'v1' | 'v2'

/** `ISOBENCH_DEVICE_CGROUP=v1|v2` forces the mechanism (tests cover both on a hybrid host); default auto. */
export const DEVICE_CGROUP_ENV = 'ISOBENCH_DEVICE_CGROUP'

/**
 * Which mechanism enforces the list: where the v1 devices controller is mounted (v1 and hybrid
 * hosts), the v1 files; on cgroup2-only hosts the BPF program (the kernel has no v2 devices
 * files). `forced` picks one explicitly; v2 on a hybrid host uses its cgroup2 mount (a BPF device
 * program works in any cgroup2 hierarchy, with or without controllers). Throws when the forced
 * mechanism is not there; null when neither is (no cgroups at all).
 */
export function deviceCgroupMode(layout: {v1: Record<string, string>; v2Mount: string | null}, forced?: string): DeviceCgroupMode | null {
  const v1 = Boolean(layout.v1.devices)
  const v2 = Boolean(layout.v2Mount)
  if (forced && forced !== 'auto') {
    if (forced !== 'v1' && forced !== 'v2') throw new Error(`${DEVICE_CGROUP_ENV}=${forced}: expected v1, v2 or auto`)
    if (forced === 'v1' && !v1) throw new Error(`${DEVICE_CGROUP_ENV}=v1: this host has no cgroup v1 devices hierarchy`)
    if (forced === 'v2' && !v2) throw new Error(`${DEVICE_CGROUP_ENV}=v2: this host has no cgroup2 mount`)
    return forced
  }
  return v1 ? 'v1' : v2 ? 'v2' : null
}
