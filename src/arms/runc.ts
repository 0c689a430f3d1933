/** The `runc` arm: the image as an OCI bundle run by runc (see oci-arm.ts). */
import type {ArmContext, ArmProvider} from '../core/arm.js'
import {OciArm} from './oci-arm.js'

export const runcProvider: ArmProvider = {
  name: 'runc',
  kind: 'oci',
  description: 'the same image as an OCI bundle (config.json from the same limits) run by runc',
  create: (ctx: ArmContext) => new OciArm('runc', ctx),
}
