/**
 * K1, kernel concentration at initialization.
 *
 * Statement. With probability at least 1 - delta over the initialization, with
 * eps(m) = kappa^2 * sqrt(log(n(n+1)/delta) / (2m)):
 *
 *     max_ij |H(0)_ij - Hstar_ij| <= eps(m)
 *     ||H(0) - Hstar||_2          <= n * eps(m)
 *     lambda_min(H(0))            >= lambda - n * eps(m)
 *
 * and the same three lines for the sign kernel S(0) against Sstar with lambda_S.
 *
 * Symbols. H(0), S(0): empirical kernels at initialization (kernel units, kappa^2); Hstar,
 * Sstar: their infinite-width limits; lambda, lambda_S: lambda_min of the limits; n: training
 * inputs; m: width; delta: allowed failure probability.
 *
 * Proof sketch (derived here, constants exact). Each entry of H(0) is kappa^2 (x_i . x_j)
 * times an average of m i.i.d. indicators in [0, 1] with mean Hstar_ij / (kappa^2 x_i . x_j),
 * and |x_i . x_j| <= 1. Hoeffding's inequality bounds each of the n(n+1)/2 distinct entries
 * with probability 2 exp(-2 m t^2); a union bound gives the first line. The spectral norm is
 * at most n times the max entry, and Weyl's inequality turns that into the third line. The
 * sign kernel has the same structure with s_r uniform on the hypercube, which holds when the
 * latent coordinates are i.i.d. symmetric and continuous (no centring).
 *
 * Regime: any width; the bound becomes informative once n * eps(m) < lambda.
 */
import type { Claim } from '../src/claims/claim.js';

const epsilon = 'kappa^2 * sqrt(log(n * (n + 1) / delta) / (2 * m))';

export const kernelInitConcentration: Claim = {
  id: 'kernel-init-concentration',
  label: 'K1',
  title: 'Kernels at initialization concentrate around their infinite-width limits',
  summary:
    'At initialization the empirical NTK H(0) of the full-precision network and the sign kernel S(0) of the 1-bit network ' +
    'are within kappa^2 sqrt(log(n(n+1)/delta)/(2m)) of their limits entry-wise, so their smallest eigenvalues approach ' +
    'lambda_min of the limits as the width m grows.',
  provenance: { kind: 'derived', note: "Hoeffding's inequality with a union bound over the n(n+1)/2 distinct entries, then Weyl's inequality." },
  hypotheses: [],
  delta: 0.1,
  statements: [
    { kind: 'bound', id: 'H-max-entry', expression: `dev_max_H0 <= ${epsilon}`, description: 'max entry deviation of H(0) from Hstar' },
    { kind: 'bound', id: 'H-spectral', expression: `dev_op_H0 <= n * ${epsilon}`, description: 'spectral-norm deviation of H(0) from Hstar' },
    { kind: 'bound', id: 'H-lambda-min', expression: `lambda_min_H0 >= lambda_H - n * ${epsilon}`, description: 'lambda_min(H(0)) stays near lambda (Weyl)' },
    { kind: 'bound', id: 'S-max-entry', expression: `dev_max_S0 <= ${epsilon}`, description: 'max entry deviation of S(0) from Sstar' },
    { kind: 'bound', id: 'S-spectral', expression: `dev_op_S0 <= n * ${epsilon}`, description: 'spectral-norm deviation of S(0) from Sstar' },
    { kind: 'bound', id: 'S-lambda-min', expression: `lambda_min_S0 >= lambda_S - n * ${epsilon}`, description: 'lambda_min(S(0)) stays near lambda_S (Weyl)' },
  ],
  measurement: 'initialization',
  uses: [],
};
