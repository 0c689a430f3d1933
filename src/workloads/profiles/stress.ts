/** Workloads driven by stress-ng inside the instance (cpu, memory, randaccess) and the aggressors. */
import type {Recipe} from '../../images/recipe.js'
import type {WorkloadProfile} from '../profile.js'

export const stressProfiles: WorkloadProfile[] = []
export const stressRecipes: Recipe[] = []
