/**
 * G1, the generalization difference between the 1-bit and the full-precision network.
 *
 * Quantity (defined by Daliri, Song, Yang, "Unlocking the Theory Behind Scaling 1-Bit Neural
 * Networks", 2024). Train both nets from the same initialization on the same data with the
 * same eta and T; on held-out inputs x:
 *
 *     gap(x) = |f1(x; W1(T)) - f(x; W(T))|
 *
 * Claim as stated by the source: the gap stays negligible as the width grows. Checked here
 * as a rate: the slope of the mean held-out gap against m, with a bootstrap interval.
 *
 * Decomposition (derived for this tool). At initialization the gap is a sum of m independent
 * zero-mean terms divided by sqrt(m), so it is O(kappa) and does not shrink with m. After
 * training, the infinite-width, infinite-time gap is
 *
 *     |[f1_0(x) - s(x)^T S^+ u1_0] - [f_0(x) - h(x)^T H^+ u_0] + (s(x)^T S^+ - h(x)^T H^+) y|
 *
 * with h(x), s(x) the kernel rows between x and the training inputs. As kappa -> 0 only the
 * kernel-mismatch term (sstar(x)^T Sstar^+ - hstar(x)^T Hstar^+) y remains, a deterministic
 * number reported as gap_mismatch_mean. The report shows the gap at initialization, after
 * training, the prediction, and the sweep over kappa, so a reader sees under which
 * conditions "negligible" holds.
 */
import type { Claim } from '../src/claims/claim.js';

export const generalizationDifference: Claim = {
  id: 'generalization-difference',
  label: 'G1',
  title: 'The 1-bit and full-precision networks make nearly the same predictions',
  summary:
    'Trained from the same initialization, the 1-bit network and its full-precision twin differ on held-out inputs by the ' +
    'generalization difference |f1(x) - f(x)|. The source claims it stays negligible as width scales; the check fits its ' +
    'trend in m and decomposes it into the O(kappa) initialization part and the kernel-mismatch part.',
  provenance: {
    kind: 'source-unverified',
    reference: 'M. Daliri, Z. Song, C. Yang, "Unlocking the Theory Behind Scaling 1-Bit Neural Networks", arXiv 2411.01663, 2024',
  },
  hypotheses: [],
  exponents: [
    { symbol: 'slope_gap_mean', of: 'gap_mean', against: 'm', description: 'exponent of the mean held-out gap after training, in m' },
    { symbol: 'slope_gap_init_mean', of: 'gap_init_mean', against: 'm', description: 'exponent of the mean held-out gap at initialization, in m' },
  ],
  statements: [
    { kind: 'rate', id: 'gap-shrinks', expression: 'slope_gap_mean < 0', description: 'the trained generalization difference shrinks as width grows' },
    {
      kind: 'rate-target',
      id: 'init-gap-flat',
      exponent: 'slope_gap_init_mean',
      target: 0,
      description: 'the gap at initialization does not depend on width (it is O(kappa))',
    },
  ],
  measurement: 'training',
  uses: ['kernel-regime'],
  sweeps: [{ kind: 'kappa', values: [1, 0.5, 0.25, 0.125] }],
};
