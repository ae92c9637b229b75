/**
 * K3, stability of the sign kernel under small latent movement.
 *
 * Statement (for alpha = 0, no centring). Let R_inf = max_r ||w_r - w_r(0)||_inf of the
 * latent weights. With probability at least 1 - delta, for every such W:
 *
 *     ||S(W) - S(W(0))||_2 <= n * kappa^2 * 2 * d * R_inf / (sigma * sqrt(2 pi) * delta)
 *
 * Symbols. S(W): empirical sign kernel at latent weights W (kernel units); d: input
 * dimension; R_inf: largest coordinate movement of a latent weight (weight units).
 *
 * Proof sketch (derived here). A neuron's sign vector s_r can change only if one of its d
 * latent coordinates starts within R_inf of 0, which has probability at most
 * d * 2 R_inf / (sigma sqrt(2 pi)). Each changed neuron moves each kernel entry by at most
 * kappa^2 / m, so the expected max-entry change is bounded accordingly; the spectral norm is
 * at most n times the max entry, and Markov's inequality gives the probability.
 */
import type { Claim } from '../src/claims/claim.js';

export const kernelStability1bit: Claim = {
  id: 'kernel-stability-1bit',
  label: 'K3',
  title: 'The sign kernel moves at most linearly in the latent movement',
  summary:
    'Along straight-through training, the sign kernel S of the 1-bit network stays within ' +
    'n kappa^2 2 d R_inf / (sigma sqrt(2 pi) delta) of its initial value, where R_inf is the largest coordinate movement ' +
    'of a latent weight: a sign can only flip for coordinates that start near zero.',
  provenance: { kind: 'derived', note: "Union bound over the d coordinates of a neuron, Gaussian anti-concentration, Markov's inequality." },
  hypotheses: [{ expression: 'centring <= 0', description: 'signs are taken of the uncentred latent weights (alpha = 0)' }],
  delta: 0.1,
  statements: [
    {
      kind: 'bound',
      id: 'S-drift',
      expression: 'drift_op_S <= n * kappa^2 * 2 * d * Rinf_1bit / (sigma * sqrt(2 * pi) * delta)',
      description: 'spectral drift of S along training against the latent movement R_inf',
    },
  ],
  measurement: 'training',
  uses: ['kernel-init-concentration'],
};
