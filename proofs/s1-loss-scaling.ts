/**
 * S1, loss scaling with model size.
 *
 * Claim (Daliri, Song, Yang, 2024, in the form of Kaplan et al., "Scaling Laws for Neural
 * Language Models", arXiv 2001.08361, 2020): the training loss follows a power law in model
 * size,
 *
 *     L(N) = (N_c / N)^alpha_N,   N = m * (d + 1) parameters,
 *
 * for both the 1-bit and the full-precision network. The check fits log L against log N over
 * the width grid for each network, with a bootstrap interval over seeds, reports
 * alpha_N = -slope for both side by side, and asks whether the two intervals overlap. The
 * same fits in data size D = n and compute C = 6 N n T come from the data-size and step
 * sweeps, and the offset form L = E + A / N^alpha is fitted to both nets' losses with
 * bootstrap intervals over seeds.
 */
import type { Claim } from '../src/claims/claim.js';

export const lossScaling: Claim = {
  id: 'loss-scaling',
  label: 'S1',
  title: 'Training loss follows a power law in model size, alike for 1-bit and full precision',
  summary:
    'The final training loss is fitted as a power law in the parameter count N = m (d + 1) for both networks; the claim is ' +
    'that such a law holds and, for the 1-bit network to scale like its full-precision twin, that the two exponents agree.',
  provenance: {
    kind: 'source-unverified',
    reference: 'M. Daliri, Z. Song, C. Yang, "Unlocking the Theory Behind Scaling 1-Bit Neural Networks", arXiv 2411.01663, 2024; form of J. Kaplan et al., arXiv 2001.08361',
  },
  hypotheses: [],
  exponents: [
    { symbol: 'slope_loss_N_fp', of: 'loss_fp_final', against: 'N', description: 'slope of log training loss in log N, full precision (alpha_N = -slope)' },
    { symbol: 'slope_loss_N_1bit', of: 'loss_1bit_final', against: 'N', description: 'slope of log training loss in log N, 1-bit (alpha_N = -slope)' },
  ],
  statements: [
    { kind: 'overlap', id: 'exponents-agree', exponents: ['slope_loss_N_fp', 'slope_loss_N_1bit'], description: 'the 1-bit exponent is consistent with the full-precision one' },
    { kind: 'rate', id: '1bit-loss-decreases', expression: 'slope_loss_N_1bit < 0', description: 'the 1-bit training loss decreases with model size' },
  ],
  measurement: 'training',
  uses: ['linear-convergence'],
  sweeps: [
    { kind: 'data-size', fractions: [0.25, 0.5, 1] },
    { kind: 'steps' },
    { kind: 'power-law-fit', of: ['loss_fp_final', 'loss_1bit_final'], form: 'offset' },
  ],
};
