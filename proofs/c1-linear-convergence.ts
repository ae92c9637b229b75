/**
 * C1, linear convergence of gradient descent.
 *
 * Statement (Du, Zhai, Poczos, Singh, "Gradient Descent Provably Optimizes
 * Over-parameterized Neural Networks", ICLR 2019, Theorem 4.1, for the full-precision net;
 * the 1-bit analogue is claimed by Daliri, Song, Yang, "Unlocking the Theory Behind Scaling
 * 1-Bit Neural Networks", 2024). If m >= m*(n, 1/lambda, 1/delta) and eta <= eta*, then with
 * probability at least 1 - delta, for all t:
 *
 *     ||y - u(t)||^2 <= (1 - eta * lambda / 2)^t * ||y - u(0)||^2
 *
 * For the 1-bit net the rate uses its effective kernel c * Sstar, with
 * c = 2 beta / (sigma sqrt(2 pi)), so lambda becomes c * lambda_S.
 *
 * Symbols. u(t): outputs on the training inputs after t steps; y: targets; eta: step size;
 * lambda: lambda_min(Hstar).
 *
 * Regime. The published requirement is m = Omega(n^6 / (lambda^4 delta^3)) and
 * eta = O(lambda / n^2); their constants are not stated in a form usable here, so the
 * hypotheses below set every hidden constant to 1. Instances below those thresholds are
 * measured and shown as outside the hypothesis; the report gives the smallest width at which
 * the bound held on at least 1 - delta of the seeds, for comparison with m*.
 *
 * Output scale. The theorem is proved for the unit-scale network (kappa = 1). With output
 * scale kappa, Hstar = kappa^2 H0 for the unit-scale limit kernel H0, and the linearized
 * dynamics u(t+1) - u(t) = -eta Hstar (u(t) - y) depend on eta and kappa only through
 * eta kappa^2. The hypotheses are therefore stated for lambda_0 = lambda_H / kappa^2 and the
 * step eta kappa^2, so that rescaling the output does not move an instance into or out of
 * the theorem's regime.
 */
import type { Claim } from '../src/claims/claim.js';

export const linearConvergence: Claim = {
  id: 'linear-convergence',
  label: 'C1',
  title: 'Gradient descent drives the training loss to zero at a linear rate',
  summary:
    'For a wide enough network and a small enough step, the squared training residual shrinks at least by the factor ' +
    '(1 - eta lambda / 2) per step, for the full-precision network (lambda = lambda_min of Hstar) and, as claimed for ' +
    'the 1-bit network, with the rate of its effective kernel c Sstar.',
  provenance: {
    kind: 'literature',
    reference:
      'S. S. Du, X. Zhai, B. Poczos, A. Singh, "Gradient Descent Provably Optimizes Over-parameterized Neural Networks", ICLR 2019, Theorem 4.1',
  },
  hypotheses: [
    {
      expression: 'm >= n^6 / ((lambda_H / kappa^2)^4 * delta^3)',
      description: 'width requirement m* for the unit-scale kernel lambda_0 = lambda_H / kappa^2, with every hidden constant set to 1',
    },
    {
      expression: 'eta <= lambda_H / (kappa^4 * n^2)',
      description: 'step-size requirement eta kappa^2 <= lambda_0 / n^2 on the unit-scale step, with its hidden constant set to 1',
    },
  ],
  delta: 0.1,
  statements: [
    {
      kind: 'bound',
      id: 'fp-rate',
      expression: 'residual_sq_fp <= (1 - eta * lambda_H / 2)^t * residual_sq_fp_0',
      description: 'full-precision residual decays at rate (1 - eta lambda / 2)',
    },
    {
      kind: 'bound',
      id: '1bit-rate',
      expression: 'residual_sq_1bit <= (1 - eta * lambda_eff_1bit / 2)^t * residual_sq_1bit_0',
      description: '1-bit residual decays at the rate of its effective kernel c lambda_S',
    },
  ],
  measurement: 'training',
  uses: ['kernel-init-concentration', 'kernel-stability-fp', 'kernel-stability-1bit'],
};
