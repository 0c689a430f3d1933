/** The basic workloads: busybox doing nothing (idle) or exiting at once (true), on the default image. */
import {DEFAULT_IMAGE} from '../../core/arm.js'
import type {WorkloadProfile, WorkloadSource} from '../profile.js'

const basicProfiles: WorkloadProfile[] = [
  {
    name: 'idle',
    version: 1,
    description: 'busybox: ready, then sleep until stopped (startup and memory only)',
    argv: ['sleep', '3600'],
    ready: {kind: 'marker'},
    figures: [],
    image: DEFAULT_IMAGE,
  },
  {
    name: 'true',
    version: 1,
    description: 'busybox true: ready, then exit at once (start-to-exit cost)',
    argv: ['true'],
    ready: {kind: 'marker'},
    figures: [],
    image: DEFAULT_IMAGE,
  },
]

export const basicSource: WorkloadSource = {
  name: 'basic',
  description: 'busybox idle and true, on the default image (its recipe is built into src/images/recipe.ts)',
  profiles: basicProfiles,
  recipes: [],
}
