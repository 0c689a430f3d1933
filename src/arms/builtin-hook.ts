/**
 * The built-in arms answer the `isobench:arms` hook exactly as an external plugin would (the hook's
 * types are in hook.ts).
 */
import type {Hook} from '@oclif/core'
import type {ArmProvider} from '../core/arm.js'
import {OCI_RUNTIMES} from '../runtime/oci/runtimes.js'
import {ChrootArm} from './chroot.js'
import {ContainerArm} from './container.js'
import {ENGINE_ARMS, EngineArm} from './engine-arm.js'
import {fakeProvider} from './fake.js'
import {LxcArm} from './lxc.js'
import {OciArm} from './oci-arm.js'
import {ProcessArm} from './process.js'
import {QemuArm} from './qemu.js'
import {VmmArm} from './vmm-arm.js'
import {VMMS} from '../vm/vmms.js'

export const builtinProviders: ArmProvider[] = [
  {
    name: 'process',
    kind: 'process',
    description: 'bare host process, no isolation: the baseline every arm is compared with',
    create: (ctx) => new ProcessArm(ctx),
  },
  {
    name: 'chroot',
    kind: 'chroot',
    isolation: 'process',
    description:
      "the same image's rootfs entered with chroot(8) and nothing else (no namespace, no seccomp), in the measurement's own cgroup: what isolating files alone costs",
    create: (ctx) => new ChrootArm(ctx),
  },
  {
    name: 'container',
    kind: 'container',
    description:
      "isobench's own OCI runtime (isobench-runtime, C): the runc/crun arms' config.json, overlayfs in the container's mount namespace, pivot_root, cgroups (v1/v2/hybrid)",
    create: (ctx) => new ContainerArm(ctx),
  },
  // One arm per OCI runtime of the table (runtime/oci/runtimes.ts).
  ...OCI_RUNTIMES.map((r): ArmProvider => ({
    name: r.name,
    kind: 'oci',
    ...(r.isolation ? {isolation: r.isolation} : {}),
    description: r.description,
    hidden: r.hidden,
    create: (ctx) => new OciArm(r.name, ctx),
  })),
  {
    name: 'lxc',
    kind: 'lxc',
    isolation: 'container runtime',
    description:
      "LXC 5 (lxc-start -F): the same image as an overlay rootfs, no network, Docker's capabilities and device allowlist, the same limits as LXC cgroup keys",
    create: (ctx) => new LxcArm(ctx),
  },
  // One arm per engine: its CLI in front of runc, on a private daemon (runtime/engines/session.ts).
  ...(['podman', 'ctr', 'docker'] as const).map((name): ArmProvider => ({
    name,
    kind: 'engine',
    isolation: 'engine',
    description: `${ENGINE_ARMS[name].what}: the image loaded from isobench's store, the same limits as its flags, markers through the attach stream`,
    create: (ctx) => new EngineArm(name, ctx),
  })),
  {
    name: 'qemu',
    kind: 'vm',
    description: 'the same image booted as a QEMU VM (KVM when a probe boot works, else TCG: figures say accel: tcg)',
    create: (ctx) => new QemuArm(ctx),
  },
  // The VMMs that need KVM (vm/vmms.ts): registered and probed; qemu above is the VM arm that runs everywhere.
  ...VMMS.filter((v) => v.needsKvm).map((vmm): ArmProvider => ({
    name: vmm.name,
    kind: 'vm',
    isolation: 'vm',
    description: vmm.description,
    create: (ctx) => new VmmArm(vmm, ctx),
  })),
  fakeProvider,
]

const hook: Hook<'isobench:arms'> = async function () {
  return builtinProviders
}

export default hook
