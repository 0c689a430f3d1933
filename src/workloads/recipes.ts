/** Image recipes of the workload catalog; src/images/recipe.ts loads `recipes` from here. */
import type {Recipe} from '../images/recipe.js'
import {serviceRecipes} from './profiles/services.js'
import {stressRecipes} from './profiles/stress.js'
import {storageRecipes} from './profiles/storage.js'

export const recipes: Recipe[] = [...stressRecipes, ...serviceRecipes, ...storageRecipes]
