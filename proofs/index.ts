/**
 * The claim catalogue: every bound of the theory of 1-bit network scaling that bitbound
 * checks, in dependency order.
 */
import type { Claim } from '../src/claims/claim.js';
import { kernelRegime } from './a1-kernel-regime.js';
import { linearConvergence } from './c1-linear-convergence.js';
import { generalizationDifference } from './g1-generalization-difference.js';
import { kernelInitConcentration } from './k1-kernel-init-concentration.js';
import { kernelStabilityFp } from './k2-kernel-stability-fp.js';
import { kernelStability1bit } from './k3-kernel-stability-1bit.js';
import { lossScaling } from './s1-loss-scaling.js';

/** Every claim of the catalogue, in dependency order. */
export const CATALOGUE: readonly Claim[] = [
  kernelInitConcentration,
  kernelStabilityFp,
  kernelStability1bit,
  linearConvergence,
  kernelRegime,
  generalizationDifference,
  lossScaling,
];

export { kernelInitConcentration, kernelStabilityFp, kernelStability1bit, linearConvergence, kernelRegime, generalizationDifference, lossScaling };
