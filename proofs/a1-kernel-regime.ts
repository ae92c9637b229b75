/**
 * A1, the kernel regime: trained networks follow their linearization as width grows.
 *
 * Statement (Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein, Pennington, "Wide Neural
 * Networks of Any Depth Evolve as Linear Models Under Gradient Descent", NeurIPS 2019, for
 * the full-precision rate). With the linearized trajectory
 *
 *     u_lin(t + 1) = u_lin(t) - eta * K * (u_lin(t) - y),   u_lin(0) = u(0),
 *
 * K = H(0) for the full-precision net and K = c * S(0) for the 1-bit net
 * (c = 2 beta / (sigma sqrt(2 pi)), the effective-kernel factor of straight-through training):
 *
 *     sup_{t <= T} ||u(t) - u_lin(t)||_2 -> 0 as m grows
 *
 * Checked as a rate: the slope of log(deviation) against log(m) over the width grid, with a
 * bootstrap interval over seeds. The full-precision slope is expected near -1/2. For the
 * 1-bit net the effective-kernel model is a hypothesis derived for this tool (a heuristic
 * count of sign flips suggests a slope near -1/4), so its slope is reported and only its
 * sign is checked. The relative kernel drift max_t ||K(t) - K(0)||_2 / ||K(0)||_2 is fitted
 * the same way.
 */
import type { Claim } from '../src/claims/claim.js';

export const kernelRegime: Claim = {
  id: 'kernel-regime',
  label: 'A1',
  title: 'Training stays close to the linearized (kernel) dynamics as width grows',
  summary:
    'The outputs of the trained network follow gradient descent on the fixed kernel at initialization ever more closely as ' +
    'the width grows: for the full-precision network the largest deviation shrinks like m^(-1/2); for the 1-bit network ' +
    'trained with the straight-through estimator, the tool measures the exponent against the effective kernel c S(0).',
  provenance: {
    kind: 'literature',
    reference:
      'J. Lee, L. Xiao, S. S. Schoenholz, Y. Bahri, R. Novak, J. Sohl-Dickstein, J. Pennington, "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent", NeurIPS 2019',
  },
  hypotheses: [],
  exponents: [
    { symbol: 'slope_traj_dev_fp', of: 'traj_dev_fp', against: 'm', description: 'exponent of sup_t ||u(t) - u_lin(t)|| in m, full precision' },
    { symbol: 'slope_traj_dev_1bit', of: 'traj_dev_1bit', against: 'm', description: 'exponent of sup_t ||u1(t) - u1_lin(t)|| in m, 1-bit' },
    { symbol: 'slope_kernel_drift_fp', of: 'kernel_drift_fp', against: 'm', description: 'exponent of the relative drift of H in m' },
    { symbol: 'slope_kernel_drift_1bit', of: 'kernel_drift_1bit', against: 'm', description: 'exponent of the relative drift of S in m' },
  ],
  statements: [
    { kind: 'rate', id: 'fp-vanishes', expression: 'slope_traj_dev_fp < 0', description: 'full-precision deviation from the linearization shrinks with width' },
    { kind: 'rate-target', id: 'fp-rate', exponent: 'slope_traj_dev_fp', target: -0.5, description: 'full-precision deviation shrinks like m^(-1/2)' },
    { kind: 'rate', id: '1bit-vanishes', expression: 'slope_traj_dev_1bit < 0', description: '1-bit deviation from the effective-kernel linearization shrinks with width' },
    { kind: 'rate', id: 'fp-kernel-drift', expression: 'slope_kernel_drift_fp < 0', description: 'relative drift of H shrinks with width' },
    { kind: 'rate', id: '1bit-kernel-drift', expression: 'slope_kernel_drift_1bit < 0', description: 'relative drift of S shrinks with width' },
  ],
  measurement: 'training',
  uses: ['kernel-init-concentration', 'kernel-stability-fp', 'kernel-stability-1bit'],
};
