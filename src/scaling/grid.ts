/**
 * Grid-started Levenberg-Marquardt fits of one form to one design.
 */

import type { FormModel, LogDesign } from './forms.js';
import { minimizeHuber, totalHuber, type HuberMinimum, type ResidualProblem } from './levenbergMarquardt.js';

/**
 * Number of best grid starts refined by Levenberg-Marquardt. On 30 synthetic two-term data sets
 * (36 points, log-normal noise 0.1% to 5%), refining all 1458 starts found no lower objective
 * (relative gap below 1e-13) and took 0.5 to 4.6 s per fit on one core.
 */
export const GRID_REFINEMENTS = 8;

/** Wraps a form and a design as residuals r_i = ln L_pred(x_i) - ln L_i with their Jacobian. */
export function createProblem(model: FormModel, design: LogDesign): ResidualProblem {
  const parameterCount = model.parameterCount;
  const row = new Float64Array(parameterCount);
  return {
    pointCount: design.logLoss.length,
    parameterCount,
    evaluate(theta, residuals, jacobian) {
      for (let i = 0; i < residuals.length; i++) {
        const predicted = model.predictLog(theta, design, i, jacobian ? row : null);
        residuals[i] = predicted - (design.logLoss[i] as number);
        if (jacobian) jacobian.set(row, i * parameterCount);
      }
    },
  };
}

/** Scores every grid start and refines the best GRID_REFINEMENTS; prefers converged minima. */
export function fitFromGrid(model: FormModel, design: LogDesign, huberDelta: number): { minimum: HuberMinimum; startsTried: number } {
  const problem = createProblem(model, design);
  const residuals = new Float64Array(problem.pointCount);
  const scored = model
    .startingPoints(design)
    .map((start) => {
      problem.evaluate(start, residuals, null);
      return { start, objective: totalHuber(residuals, huberDelta) };
    })
    .filter((candidate) => Number.isFinite(candidate.objective))
    .sort((left, right) => left.objective - right.objective);

  let best: HuberMinimum | null = null;
  for (const candidate of scored.slice(0, GRID_REFINEMENTS)) {
    const minimum = minimizeHuber(problem, candidate.start, { huberDelta });
    if (best === null || isBetter(minimum, best)) best = minimum;
  }
  if (best === null) {
    // Every start overflowed; refine the first one anyway so the failure is reported, not hidden.
    best = minimizeHuber(problem, model.startingPoints(design)[0] as Float64Array, { huberDelta });
  }
  return { minimum: best, startsTried: scored.length };
}

function isBetter(candidate: HuberMinimum, incumbent: HuberMinimum): boolean {
  if (candidate.converged !== incumbent.converged) return candidate.converged;
  return candidate.objective < incumbent.objective;
}
