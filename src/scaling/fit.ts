/**
 * Scaling-law fits with bootstrap intervals.
 *
 * A fit minimizes the Huber loss of the log-space residuals r_i = ln L_pred(x_i) - ln L_i over
 * the parameters of one form (see forms.ts): every start of a data-derived grid is scored, the
 * best GRID_REFINEMENTS starts are refined by Levenberg-Marquardt, and the lowest converged
 * objective wins. Working in log space weighs every point by its relative error, so small and
 * large losses count alike.
 *
 * Intervals come from a percentile bootstrap. It resamples whole seeds when the points carry a
 * `seed` and there are at least two seeds, so that points of one run stay together. Otherwise
 * it resamples points. Each replicate is refit from the full-data estimate, and from the grid
 * when that fails. A replicate that cannot identify the parameters (too few distinct x, or a
 * constant loss), does not converge or gives a parameter outside the range of a double is left
 * out and counted. An interval is reported only when enough replicates
 * remain.
 */

import { InvalidInputError, formatValue } from '../errors.js';
import { createRng, deriveSeed } from '../util/rng.js';
import { chooseResampling, describeBootstrap, runBootstrap, summarizeParameters } from './bootstrap.js';
import { buildDesign, checkEstimate, checkIdentifiable, describeDesign, describeEstimate } from './design.js';
import { createFormModel } from './forms.js';
import { fitFromGrid } from './grid.js';
import type { FamilyScalingFit, ScalingFit, ScalingFitOptions, ScalingPoint, ScalingVariable } from './types.js';

export type * from './types.js';

/**
 * Huber transition point in natural-log units of loss. 1e-3 is the value of the Chinchilla fit
 * (Hoffmann et al., "Training Compute-Optimal Large Language Models", 2022): residuals beyond
 * 0.1% of the loss count linearly, so single outlying runs pull the fit little.
 */
export const DEFAULT_HUBER_DELTA = 1e-3;

/** Family name given to points without one. */
export const DEFAULT_FAMILY = 'all';

/** Upper limit on bootstrap replicates, to stop a typo from running for hours. */
const MAX_BOOTSTRAP_REPLICATES = 1_000_000;

/**
 * Number of resampled groups (points or seeds) below which the fit warns that the intervals are
 * too narrow. With few groups the resamples repeat the same few values, so percentile intervals
 * under-cover. 10 is a judgment call, not a derived limit.
 */
const FEW_BOOTSTRAP_GROUPS = 10;

/**
 * Fits one scaling-law form to points with the Huber loss in log space and reports every
 * parameter with a percentile bootstrap interval.
 *
 *     pure      L = (X_c / X)^alpha                 parameters X_c, alpha
 *     offset    L = E + A / X^alpha                 parameters E, A, alpha
 *     two-term  L = E + A / N^alpha + B / D^beta    parameters E, A, B, alpha, beta
 *
 * X is `options.variable`. Warnings go to `warnings`: fewer than 2 points per parameter, an x
 * range under a decade, a fit that interpolates, a negative exponent, a fit or bootstrap that did
 * not converge.
 * Cost: one grid scan and GRID_REFINEMENTS refinements, then one refinement per replicate. As a
 * measured example, 20 two-term fits of 36 points with 200 replicates each took 2 to 5 s in
 * total (log-normal noise 0.3% to 3%) on one core of the development machine.
 *
 * @throws InvalidInputError for invalid options, or a point whose loss or x is missing, not
 *   finite or not positive. It also rejects designs that cannot identify the form: fewer points
 *   than parameters, fewer distinct x values than the form needs (2 for pure, 3 for offset), or
 *   fewer than 3 distinct N or D values for two-term, or a loss that does not vary (max ln L -
 *   min ln L below CONSTANT_LOSS_SPREAD). After the fit it rejects an estimate that cannot be
 *   reported: a parameter outside the range of a double, such as the pure form's X_c when alpha
 *   is almost 0.
 */
export function fitScalingLaw(points: readonly ScalingPoint[], options: ScalingFitOptions): ScalingFit {
  validateOptions(options);
  const huberDelta = options.huberDelta ?? DEFAULT_HUBER_DELTA;
  const variables: ScalingVariable[] = options.form === 'two-term' ? ['N', 'D'] : [options.variable];
  const model = createFormModel(options.form, options.variable);

  const design = buildDesign(points, variables);
  const identifiability = checkIdentifiable(design, model, variables);
  if (identifiability !== null) {
    throw new InvalidInputError('fitScalingLaw points', points.length, identifiability);
  }
  const warnings = describeDesign(design, model, variables);

  const best = fitFromGrid(model, design, huberDelta);
  const unreportable = checkEstimate(model, best.minimum, variables);
  if (unreportable !== null) {
    throw new InvalidInputError('fitScalingLaw points', points.length, unreportable);
  }
  warnings.push(...describeEstimate(model, model.toReported(best.minimum.parameters), variables));
  if (!best.minimum.converged) {
    warnings.push(
      `the fit did not converge in ${best.minimum.iterations} steps; the estimates are the best point reached, not a minimum`,
    );
  }

  // With as many points as parameters every identifiable resample is the original point set,
  // so the bootstrap would print a zero-width interval that carries no information.
  const interpolates = design.logLoss.length === model.parameterCount;
  const replicateCount = interpolates ? 0 : options.bootstrapReplicates;
  if (interpolates && options.bootstrapReplicates > 0) {
    warnings.push('no intervals: a fit through every point leaves the bootstrap no spread to measure; add points');
  }

  const rng = createRng(options.seed);
  const resampling = chooseResampling(points, warnings);
  if (replicateCount > 0 && resampling.groups.length < FEW_BOOTSTRAP_GROUPS) {
    warnings.push(
      `the bootstrap resamples only ${resampling.groups.length} ${resampling.kind}; percentile intervals from so few ` +
        'groups are too narrow, so read them as a lower bound on the uncertainty',
    );
  }
  const replicates = runBootstrap(model, design, variables, resampling, best.minimum.parameters, {
    huberDelta,
    replicateCount,
    rng,
  });
  const parameters = summarizeParameters(model, best.minimum.parameters, replicates.values, options.confidence);
  describeBootstrap(replicates, replicateCount, options.confidence, warnings);

  const residuals = Array.from(best.minimum.residuals);
  const rmseLog = Math.sqrt(residuals.reduce((total, residual) => total + residual * residual, 0) / residuals.length);
  return {
    form: options.form,
    formula: model.formula,
    variables,
    pointCount: design.logLoss.length,
    parameters,
    residuals,
    rmseLog,
    objective: best.minimum.objective,
    huberDelta,
    converged: best.minimum.converged,
    iterations: best.minimum.iterations,
    startsTried: best.startsTried,
    bootstrap: {
      requested: replicateCount,
      resampled: resampling.kind,
      groups: resampling.groups.length,
      converged: replicates.values.length,
      failed: replicates.failed,
      unidentifiable: replicates.unidentifiable,
      confidence: options.confidence,
    },
    warnings,
  };
}

/**
 * Fits each family of points separately (points without a family form DEFAULT_FAMILY), in order
 * of first appearance. Each family's bootstrap stream is derived from `options.seed` and the
 * family name, so adding a family does not change the intervals of the others.
 *
 * @throws InvalidInputError as {@link fitScalingLaw}, with the family named in the message.
 */
export function fitScalingLawByFamily(points: readonly ScalingPoint[], options: ScalingFitOptions): FamilyScalingFit[] {
  validateOptions(options);
  const families = new Map<string, ScalingPoint[]>();
  for (const point of points) {
    const family = point.family ?? DEFAULT_FAMILY;
    const members = families.get(family) ?? [];
    members.push(point);
    families.set(family, members);
  }

  const fits: FamilyScalingFit[] = [];
  for (const [family, members] of families) {
    try {
      fits.push({ family, fit: fitScalingLaw(members, { ...options, seed: deriveSeed(options.seed, family) }) });
    } catch (error) {
      // Prefix the family so the message names the group of rows at fault.
      if (error instanceof InvalidInputError) {
        const reason = error.message.slice(`${error.field}: `.length);
        throw new InvalidInputError(`family ${family}: ${error.field}`, error.value, reason);
      }
      throw error;
    }
  }
  return fits;
}


function validateOptions(options: ScalingFitOptions): void {
  if (!['pure', 'offset', 'two-term'].includes(options.form)) {
    throw new InvalidInputError('form', options.form, `unknown form ${formatValue(options.form)}; use pure, offset or two-term`);
  }
  if (!['N', 'D', 'C'].includes(options.variable)) {
    throw new InvalidInputError('variable', options.variable, `unknown variable ${formatValue(options.variable)}; use N, D or C`);
  }
  const replicates = options.bootstrapReplicates;
  if (!(Number.isInteger(replicates) && replicates >= 0 && replicates <= MAX_BOOTSTRAP_REPLICATES)) {
    throw new InvalidInputError(
      'bootstrapReplicates',
      replicates,
      `must be an integer in [0, ${MAX_BOOTSTRAP_REPLICATES}], got ${formatValue(replicates)}; use e.g. 1000`,
    );
  }
  if (!(Number.isFinite(options.confidence) && options.confidence > 0 && options.confidence < 1)) {
    throw new InvalidInputError('confidence', options.confidence, `must be a number in (0, 1), got ${formatValue(options.confidence)}; use e.g. 0.95`);
  }
  if (!Number.isFinite(options.seed)) {
    throw new InvalidInputError('seed', options.seed, `must be a finite number, got ${formatValue(options.seed)}`);
  }
  const delta = options.huberDelta;
  if (delta !== undefined && !(Number.isFinite(delta) && delta > 0)) {
    throw new InvalidInputError('huberDelta', delta, `must be a positive number, got ${formatValue(delta)}; the default is ${DEFAULT_HUBER_DELTA}`);
  }
}
