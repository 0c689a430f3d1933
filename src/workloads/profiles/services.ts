/** Workloads measured from the host or on storage: disk (fio), http (wrk against a server), redis. */
import type {Recipe} from '../../images/recipe.js'
import type {WorkloadProfile} from '../profile.js'

export const serviceProfiles: WorkloadProfile[] = []
export const serviceRecipes: Recipe[] = []
