/** The `crun` arm: the image as an OCI bundle run by crun; on hybrid cgroup hosts crun 1.8 runs with /sys/fs/cgroup/unified hidden. */
import type {ArmContext, ArmProvider} from '../core/arm.js'
import {OciArm} from './oci-arm.js'

export const crunProvider: ArmProvider = {
  name: 'crun',
  kind: 'oci',
  description: 'the same image as an OCI bundle run by crun (on hybrid cgroup hosts in a mount namespace without /sys/fs/cgroup/unified, which crun 1.8 refuses)',
  create: (ctx: ArmContext) => new OciArm('crun', ctx),
}
