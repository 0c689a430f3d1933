/**
 * Docker's default seccomp profile built from Podman's (Debian golang-github-containers-common,
 * installed by `isobench setup`), each named difference, the Docker-format → OCI conversion, the
 * profile file checks, and the same object in the runc/crun config.json.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createHash} from 'node:crypto'
import {afterAll, describe, expect, it} from 'vitest'
import {ociConfig} from '../../../src/runtime/oci/bundle.js'
import {seccompOption, readProfileFile, seccompFlagBits} from '../../../src/runtime/seccomp/seccomp.js'
import {CLONE_NAMESPACE_FLAGS, DOCKER_OVERRIDES, dockerDefaultSeccomp, readPodmanProfile} from '../../../src/runtime/seccomp/seccomp-default.js'
import {
  allowsUnconditionally,
  canonicalSeccomp,
  kernelVersion,
  nativeArch,
  rulesFor,
  toOciSeccomp,
  type SeccompTarget,
  DEFAULT_CAPS,
} from '../../../src/runtime/seccomp/seccomp-profile.js'

const AMD64: SeccompTarget = {caps: DEFAULT_CAPS, arch: 'amd64', kernel: [6, 18]}
const podman = toOciSeccomp(readPodmanProfile(), AMD64)!
const ours = dockerDefaultSeccomp(AMD64)
const digest = (p: ReturnType<typeof dockerDefaultSeccomp>) => createHash('sha256').update(canonicalSeccomp(p)).digest('hex')

describe("Docker's default profile from Podman's", () => {
  // sha256 of canonicalSeccomp() of moby's profiles/seccomp/default.json (moby/moby 35797366,
  // moby/profiles v0.2.3) resolved by toOciSeccomp for Docker's default capabilities: the
  // fingerprint of what Docker's default filters, per target. Equal digests = identical filtering.
  const MOBY_DEFAULT: Array<[SeccompTarget, string]> = [
    [AMD64, '8fd1cef907cc491bdab804b0647358ef2b895974fb6e5593a0f207642c1b387b'],
    [{...AMD64, arch: 'arm64', kernel: [6, 1]}, '45f301392a4bcaf73774c06dde99984cf76b0490df80a6bb2e9e89b830704d65'],
    [{...AMD64, arch: 's390x'}, '8c9065149c38dc3fa55b9d476a23a4200b2b55e8eb9baabe5642687e0b54cf81'],
    [{...AMD64, arch: 'riscv64'}, '0d3e37e32de80af55e9a352001d3c6e6956a92f9a463f7fd184637e8d153f719'],
    [{...AMD64, arch: 'ppc64le'}, 'dfc68d631c43be14e1a4b8b82668c3c8fe7fb9018b8b2f0e8aa59bf8594e0a35'],
  ]
  for (const [target, expected] of MOBY_DEFAULT) {
    it(`filters exactly as moby's default.json for Docker's default capabilities on ${target.arch}, kernel ${target.kernel.join('.')}`, () => {
      expect(digest(dockerDefaultSeccomp(target))).toBe(expected)
    })
  }

  it('difference 1: unlisted syscalls get EPERM as in Docker (Podman: ENOSYS)', () => {
    expect(podman.defaultErrnoRet).toBe(38)
    expect(ours).toMatchObject({defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1})
  })

  it('difference 2: syscalls Podman allows every container and Docker refuses without extra capabilities', () => {
    for (const name of DOCKER_OVERRIDES.denied) {
      expect.soft(allowsUnconditionally(podman, name), `${name} allowed by Podman`).toBe(true)
      expect
        .soft(
          rulesFor(ours, name).filter((r) => r.action !== 'SCMP_ACT_ERRNO'),
          `${name} refused by ours`,
        )
        .toEqual([])
    }
    // The ones the hostile tests exercise.
    for (const name of ['keyctl', 'unshare', 'setns', 'mount']) expect(allowsUnconditionally(ours, name)).toBe(false)
  })

  it('difference 3: syscalls Docker allows that Podman 0.50 lacks or refuses', () => {
    for (const name of DOCKER_OVERRIDES.allowed) {
      expect.soft(allowsUnconditionally(podman, name), `${name} not allowed by Podman`).toBe(false)
      expect.soft(allowsUnconditionally(ours, name), `${name} allowed by ours`).toBe(true)
    }
  })

  it('difference 4: clone only without namespace flags, clone3 ENOSYS (Podman: both unconditional)', () => {
    expect(allowsUnconditionally(podman, 'clone')).toBe(true)
    expect(allowsUnconditionally(podman, 'clone3')).toBe(true)
    expect(rulesFor(ours, 'clone')).toEqual([
      {names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{index: 0, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ'}]},
    ])
    expect(CLONE_NAMESPACE_FLAGS).toBe(0x7e020000)
    expect(rulesFor(ours, 'clone3')).toEqual([{names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38}])
  })

  it('difference 5: socket for every family but AF_ALG (38) and AF_VSOCK (40) (Podman: every family)', () => {
    expect(allowsUnconditionally(podman, 'socket')).toBe(true)
    expect(rulesFor(ours, 'socket').map((r) => r.args)).toEqual([
      [{index: 0, value: 38, op: 'SCMP_CMP_LT'}],
      [{index: 0, value: 39, op: 'SCMP_CMP_EQ'}],
      [{index: 0, value: 40, op: 'SCMP_CMP_GT'}],
    ])
  })

  it('difference 6: riscv64 and loongarch64 in the archMap, and two arch-specific allows', () => {
    expect(toOciSeccomp(readPodmanProfile(), {...AMD64, arch: 'riscv64'})!.architectures).toBeUndefined()
    expect(dockerDefaultSeccomp({...AMD64, arch: 'riscv64'}).architectures).toEqual(['SCMP_ARCH_RISCV64'])
    expect(allowsUnconditionally(dockerDefaultSeccomp({...AMD64, arch: 'riscv64'}), 'riscv_flush_icache')).toBe(true)
    expect(allowsUnconditionally(dockerDefaultSeccomp({...AMD64, arch: 'ppc64le'}), 'swapcontext')).toBe(true)
  })

  it('uses the host arch and the 64-bit + compat architectures on amd64', () => {
    expect(nativeArch('x64')).toBe('amd64')
    expect(nativeArch('ppc64', true)).toBe('ppc64le')
    expect(kernelVersion('6.18.3-cloud-amd64')).toEqual([6, 18])
    expect(ours.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'])
  })
})

describe('Docker format → OCI (moby setupSeccomp)', () => {
  const profile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    archMap: [{architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86']}],
    syscalls: [
      {names: ['read'], action: 'SCMP_ACT_ALLOW'},
      {name: 'write', action: 'SCMP_ACT_ALLOW'},
      {names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: {caps: ['CAP_SYS_ADMIN']}},
      {names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: {caps: ['CAP_SYS_CHROOT']}},
      {names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: {minKernel: '4.8'}},
      {names: ['old'], action: 'SCMP_ACT_ALLOW', excludes: {minKernel: '5.0'}},
      {names: ['arm_only'], action: 'SCMP_ACT_ALLOW', includes: {arches: ['arm64']}},
      {names: ['not_amd64'], action: 'SCMP_ACT_ALLOW', excludes: {arches: ['amd64']}},
      {names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: {caps: ['CAP_SYS_ADMIN']}},
    ],
  }

  it('keeps a rule only when its includes hold and no excludes match (caps, arch, kernel)', () => {
    const oci = toOciSeccomp(profile, AMD64)!
    expect(oci.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'])
    expect(oci.syscalls!.map((r) => r.names[0])).toEqual(['read', 'write', 'chroot', 'ptrace', 'clone3'])
    expect(oci.syscalls!.at(-1)).toEqual({names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38})
    const admin = toOciSeccomp(profile, {caps: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'], arch: 'arm64', kernel: [4, 4]})!
    expect(admin.syscalls!.map((r) => r.names[0])).toEqual(['read', 'write', 'mount', 'chroot', 'old', 'arm_only', 'not_amd64'])
  })

  it('refuses name + names and architectures + archMap together, as Docker', () => {
    expect(() => toOciSeccomp({defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{name: 'a', names: ['b'], action: 'SCMP_ACT_ERRNO'}]}, AMD64)).toThrow(
      /both 'name' and 'names'/,
    )
    expect(() => toOciSeccomp({defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: profile.archMap}, AMD64)).toThrow(
      /both 'architectures' and 'archMap'/,
    )
    expect(toOciSeccomp({defaultAction: '', syscalls: []}, AMD64)).toBeNull()
  })
})

describe('--security-opt and profile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-seccomp-unit-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const file = (name: string, text: string) => {
    const f = join(dir, name)
    writeFileSync(f, text)
    return f
  }

  it('takes seccomp=… like Docker and refuses other options with exit 2', () => {
    expect(seccompOption([])).toBeUndefined()
    expect(seccompOption(['seccomp=unconfined'])).toBe('unconfined')
    expect(seccompOption(['seccomp:/x.json'])).toBe('/x.json')
    expect(() => seccompOption(['apparmor=unconfined'])).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => seccompOption(['seccomp='])).toThrow(/expected seccomp=unconfined/)
  })

  it('names the file and the field of a bad profile', () => {
    expect(() => readProfileFile(join(dir, 'missing.json'))).toThrow(/missing\.json: seccomp profile not found/)
    expect(() => readProfileFile(dir)).toThrow(/expected a seccomp profile \(a regular file\), got a folder/)
    expect(() => readProfileFile(file('a.json', '{"defaultAction": "SCMP_ACT_NOPE"}'))).toThrow(/a\.json: defaultAction: expected one of SCMP_ACT_KILL/)
    expect(() =>
      readProfileFile(
        file(
          'b.json',
          '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO","args":[{"index":7,"op":"SCMP_CMP_EQ","value":1}]}]}',
        ),
      ),
    ).toThrow(/b\.json: syscalls\[0\]\.args\[0\]\.index: expected 0-5, got 7/)
    expect(() => readProfileFile(file('c.json', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]}'))).toThrow(
      /c\.json: syscalls\[0\]\.names: expected at least one syscall name/,
    )
    expect(() =>
      readProfileFile(file('d.json', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}')),
    ).toThrow(/d\.json: syscalls\[0\]\.includes\.minKernel: expected "<kernel>\.<major>"/)
    expect(() => readProfileFile(file('e.json', '{"defaultAction":"SCMP_ACT_NOTIFY"}'))).toThrow(/needs a seccomp agent/)
    expect(() => readProfileFile(file('f.json', '{"defaultAction": '))).toThrow(/f\.json(:\d+:\d+)?: not JSON/)
  })

  it('maps OCI flags to seccomp(2) bits', () => {
    expect(seccompFlagBits(['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'])).toBe(6)
  })
})

describe('runc/crun config.json', () => {
  const spec = {rootPath: '/r', argv: ['true'], env: {}, cwd: '/', hostname: 'h', network: 'none' as const, limits: {}, id: 'x', cgroups: true}

  it("carries the same seccomp object our runtime compiles, and Docker's device allowlist", () => {
    const config = ociConfig({...spec, seccomp: ours}) as {linux: {seccomp?: unknown; resources: {devices: unknown[]}}}
    expect(config.linux.seccomp).toBe(ours)
    expect(config.linux.resources.devices[0]).toEqual({allow: false, access: 'rwm'})
    expect(config.linux.resources.devices).toContainEqual({allow: true, type: 'c', major: 136, access: 'rwm'})
  })

  it('has no seccomp section when unconfined', () => {
    const config = ociConfig({...spec, seccomp: null}) as {linux: Record<string, unknown>}
    expect(config.linux).not.toHaveProperty('seccomp')
  })
})
