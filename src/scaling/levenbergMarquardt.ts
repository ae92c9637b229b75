/**
 * Levenberg-Marquardt minimization of a Huber loss on residuals, for small nonlinear fits.
 *
 * The objective is sum_i huber(r_i(theta)) with
 *
 *     huber(r) = r^2 / 2                    when |r| <= delta
 *                delta (|r| - delta / 2)    otherwise,
 *
 * the robust loss used for scaling-law fits in Hoffmann et al., "Training Compute-Optimal Large
 * Language Models" (2022). Each iteration builds the iteratively reweighted least-squares model
 * of the Huber loss, with weights w_i = min(1, delta / |r_i|), so that
 *
 *     gradient g = J^T (w * r),    curvature H = J^T diag(w) J,
 *
 * and takes the damped step (H + lambda diag(H)) s = -g. A step that lowers the objective is
 * accepted and lambda shrinks; otherwise lambda grows and the step is retried. Acceptance tests
 * the Huber objective itself, so the objective never increases.
 *
 * Cost per iteration: one residual and Jacobian evaluation (n x p), an O(n p^2) product and a
 * p x p Cholesky solve. The forms here have at most 5 parameters.
 */

import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/** A least-squares-shaped problem: residuals r(theta) and, on request, their Jacobian. */
export interface ResidualProblem {
  pointCount: number;
  parameterCount: number;
  /**
   * Writes r_i(theta) into `residuals` and, when `jacobian` is given, dr_i / dtheta_j into
   * `jacobian[i * parameterCount + j]`.
   */
  evaluate(theta: Float64Array, residuals: Float64Array, jacobian: Float64Array | null): void;
}

/** Outcome of one minimization. */
export interface HuberMinimum {
  parameters: Float64Array;
  residuals: Float64Array;
  /** Huber objective at `parameters`. */
  objective: number;
  /**
   * True when a stopping test below was met, which marks a stationary point: not necessarily the
   * global minimum (for example E -> 0 in the offset form is a plateau). False when the iteration
   * cap ran out or the start was not finite.
   */
  converged: boolean;
  /** Accepted steps taken. */
  iterations: number;
}

/** Options of {@link minimizeHuber}. */
export interface HuberOptions {
  /** Transition point of the Huber loss, in residual units (here: natural-log units of loss). */
  huberDelta: number;
  /** Cap on accepted plus rejected steps; default DEFAULT_MAX_ITERATIONS. */
  maxIterations?: number;
}

/**
 * Cap on accepted plus rejected steps. On 120 synthetic two-term fits of 36 points (noise 0.1%
 * to 3%), most converged within 100 accepted steps, but a few crept along a flat valley of the
 * near-L1 Huber objective for up to 1226. 10000 leaves room for that and for rejected steps.
 */
export const DEFAULT_MAX_ITERATIONS = 10_000;

/**
 * Relative objective decrease below which an accepted step counts as converged, when the
 * decrease predicted by the quadratic model is that small too (the ftol test of MINPACK's
 * lmder). 1e-12 is about 5000 ulps: past it a decrease of the objective cannot be distinguished
 * from rounding, although the parameters may still creep along a flat valley.
 */
const OBJECTIVE_TOLERANCE = 1e-12;

/** Relative step size, ||s||_inf / (1 + ||theta||_inf), below which an accepted step counts as converged (the xtol test). */
const STEP_TOLERANCE = 1e-9;

/**
 * Residual size that counts as an exact fit: about 50 ulps of a log-loss near 1. When every
 * residual is this small, relative decreases of the objective mean nothing, so the search stops.
 */
const RESIDUAL_ROUNDING = 1e-14;

/** Starting damping, relative to diag(H). */
const INITIAL_DAMPING = 1e-3;

/**
 * Damping at which the search stops. The step is then about 1e-12 times a scaled gradient step,
 * and if even that does not lower the objective, the gradient is zero to rounding, so the point
 * is reported as converged.
 */
const MAX_DAMPING = 1e12;

/** Smallest damping, so that repeated shrinking cannot reach zero and an undamped singular solve. */
const MIN_DAMPING = 1e-15;

/** Floor of the diagonal scaling, so that a parameter with zero curvature still gets a damped step. */
const DIAGONAL_FLOOR = 1e-12;

/** Returns the Huber loss of one residual. */
export function huberLoss(residual: number, delta: number): number {
  const size = Math.abs(residual);
  return size <= delta ? 0.5 * residual * residual : delta * (size - 0.5 * delta);
}

/**
 * Minimizes sum_i huber(r_i(theta)) from `start` by Levenberg-Marquardt steps on the reweighted
 * least-squares model (see the module comment). Deterministic. Does not throw on a bad start: a
 * start whose objective is not finite returns `converged: false` with zero iterations.
 */
export function minimizeHuber(problem: ResidualProblem, start: Float64Array, options: HuberOptions): HuberMinimum {
  const { pointCount, parameterCount } = problem;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const delta = options.huberDelta;

  let theta = Float64Array.from(start);
  let residuals = new Float64Array(pointCount);
  const jacobian = new Float64Array(pointCount * parameterCount);
  problem.evaluate(theta, residuals, jacobian);
  let objective = totalHuber(residuals, delta);
  if (!Number.isFinite(objective)) {
    return { parameters: theta, residuals, objective, converged: false, iterations: 0 };
  }

  const exactFitObjective = 0.5 * pointCount * RESIDUAL_ROUNDING * RESIDUAL_ROUNDING;
  const trialTheta = new Float64Array(parameterCount);
  let trialResiduals = new Float64Array(pointCount);
  let damping = INITIAL_DAMPING;
  let accepted = 0;
  let jacobianIsCurrent = true;

  for (let attempt = 0; attempt < maxIterations; attempt++) {
    if (!jacobianIsCurrent) {
      problem.evaluate(theta, residuals, jacobian);
      jacobianIsCurrent = true;
    }
    const { gradient, curvature } = reweightedNormalEquations(residuals, jacobian, parameterCount, delta);

    if (gradient.every((component) => component === 0)) {
      return { parameters: theta, residuals, objective, converged: true, iterations: accepted };
    }

    const step = solveDampedStep(curvature, gradient, damping, parameterCount);
    let trialObjective = Number.POSITIVE_INFINITY;
    if (step !== null) {
      for (let j = 0; j < parameterCount; j++) trialTheta[j] = (theta[j] as number) + (step[j] as number);
      problem.evaluate(trialTheta, trialResiduals, null);
      trialObjective = totalHuber(trialResiduals, delta);
    }

    if (step !== null && trialObjective < objective) {
      const decrease = objective - trialObjective;
      const predictedDecrease = predictedReduction(curvature, gradient, step);
      const stepSize = maxAbs(step) / (1 + maxAbs(theta));
      [theta, trialResiduals, residuals] = [Float64Array.from(trialTheta), residuals, trialResiduals];
      objective = trialObjective;
      accepted++;
      jacobianIsCurrent = false;
      damping = Math.max(damping / 3, MIN_DAMPING);
      const objectiveSettled = decrease <= OBJECTIVE_TOLERANCE * objective && predictedDecrease <= OBJECTIVE_TOLERANCE * objective;
      if (objectiveSettled || stepSize <= STEP_TOLERANCE || objective <= exactFitObjective) {
        return { parameters: theta, residuals, objective, converged: true, iterations: accepted };
      }
    } else {
      damping *= 4;
      if (damping > MAX_DAMPING) {
        return { parameters: theta, residuals, objective, converged: true, iterations: accepted };
      }
    }
  }
  return { parameters: theta, residuals, objective, converged: false, iterations: accepted };
}

/** Returns sum_i huber(r_i), or +Infinity when any residual is not finite. */
export function totalHuber(residuals: Float64Array, delta: number): number {
  let total = 0;
  for (const residual of residuals) {
    if (!Number.isFinite(residual)) return Number.POSITIVE_INFINITY;
    total += huberLoss(residual, delta);
  }
  return total;
}

function reweightedNormalEquations(residuals: Float64Array, jacobian: Float64Array, parameterCount: number, delta: number) {
  const gradient = new Float64Array(parameterCount);
  const curvature = new Float64Array(parameterCount * parameterCount);
  for (let i = 0; i < residuals.length; i++) {
    const residual = residuals[i] as number;
    const weight = Math.abs(residual) <= delta ? 1 : delta / Math.abs(residual);
    const rowOffset = i * parameterCount;
    for (let j = 0; j < parameterCount; j++) {
      const jacobianIJ = jacobian[rowOffset + j] as number;
      gradient[j] = (gradient[j] as number) + weight * residual * jacobianIJ;
      for (let k = 0; k <= j; k++) {
        curvature[j * parameterCount + k] =
          (curvature[j * parameterCount + k] as number) + weight * jacobianIJ * (jacobian[rowOffset + k] as number);
      }
    }
  }
  for (let j = 0; j < parameterCount; j++) {
    for (let k = 0; k < j; k++) curvature[k * parameterCount + j] = curvature[j * parameterCount + k] as number;
  }
  return { gradient, curvature };
}

/** Solves (H + damping * diag(H)) s = -g by Cholesky; null when the damped matrix is not positive definite. */
function solveDampedStep(curvature: Float64Array, gradient: Float64Array, damping: number, parameterCount: number): Float64Array | null {
  const damped = new Matrix(parameterCount, parameterCount);
  for (let j = 0; j < parameterCount; j++) {
    for (let k = 0; k < parameterCount; k++) damped.set(j, k, curvature[j * parameterCount + k] as number);
    const diagonal = Math.max(curvature[j * parameterCount + j] as number, DIAGONAL_FLOOR);
    damped.set(j, j, (curvature[j * parameterCount + j] as number) + damping * diagonal);
  }
  const decomposition = new CholeskyDecomposition(damped);
  if (!decomposition.isPositiveDefinite()) return null;
  const rightHandSide = Matrix.columnVector(Array.from(gradient, (component) => -component));
  const solution = decomposition.solve(rightHandSide).getColumn(0);
  if (!solution.every(Number.isFinite)) return null;
  return Float64Array.from(solution);
}

/** Decrease of the reweighted quadratic model for step s: -g.s - s.H.s / 2. */
function predictedReduction(curvature: Float64Array, gradient: Float64Array, step: Float64Array): number {
  const parameterCount = step.length;
  let linear = 0;
  let quadratic = 0;
  for (let j = 0; j < parameterCount; j++) {
    linear += (gradient[j] as number) * (step[j] as number);
    for (let k = 0; k < parameterCount; k++) {
      quadratic += (step[j] as number) * (curvature[j * parameterCount + k] as number) * (step[k] as number);
    }
  }
  return -linear - 0.5 * quadratic;
}

function maxAbs(values: Float64Array): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return largest;
}
