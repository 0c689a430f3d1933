/** Image recipes of the workload catalog, beside their profiles; src/images/recipe.ts builds them by name. */
import {serviceRecipes} from './profiles/services.js'
import {stressRecipes} from './profiles/stress.js'
import {storageRecipes} from './profiles/storage.js'
import type {Recipe} from './profile.js'

export const recipes: Recipe[] = [...stressRecipes, ...serviceRecipes, ...storageRecipes]
