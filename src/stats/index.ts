/** Statistics for isobench: descriptions, outliers, bootstrap CIs, permutation tests, regression, verdicts. */
export {describe, modifiedZScores, outlierFlags, OUTLIER_THRESHOLD} from './describe.js'
export {bootstrapCi, bootstrapDifferenceOfMedians, ratioOfMedians, type RatioEstimate} from './bootstrap.js'
export {medianDifference, midranks, permutationTest, type PermutationResult} from './permutation.js'
export {slopeWithCi, type SlopeEstimate} from './regression.js'
export {comparativeWords, differenceVerdict, magnitude, MIN_N_FOR_CI, runsForPermutationPower, verdict, type Verdict, type VerdictKind} from './verdict.js'
export {compareSamples, type CompareResult} from './compare.js'
export {normalCdf, studentTCdf, studentTQuantile} from './distributions.js'
export {mulberry32, seedFrom} from './random.js'
