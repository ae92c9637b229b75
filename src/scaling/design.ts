/**
 * The log-space design of a fit: input checks, identifiability and warnings about the data.
 */

import { InvalidInputError, formatValue } from '../errors.js';
import type { FormModel, LogDesign } from './forms.js';
import type { ScalingPoint, ScalingVariable } from './types.js';

/** Largest x range, max / min, that counts as less than a decade and draws a warning. */
const DECADE = 10;

/**
 * |correlation| of ln N and ln D above which a two-term fit draws a warning. At 0.999 the two
 * inputs share 99.8% of their variance, so the data barely separate the N and D terms.
 */
const COLLINEAR_CORRELATION = 0.999;

/**
 * Takes logs of the loss and of each variable the form uses, per point, in input order.
 *
 * @throws InvalidInputError naming the point and field when a value is missing, not finite or
 *   not positive.
 */
export function buildDesign(points: readonly ScalingPoint[], variables: readonly ScalingVariable[]): LogDesign {
  const logInputs = variables.map(() => new Float64Array(points.length));
  const logLoss = new Float64Array(points.length);
  points.forEach((point, index) => {
    logLoss[index] = positiveLog(point.loss, `points[${index}].loss`, 'the loss');
    variables.forEach((variable, column) => {
      const value = point[variable];
      if (value === undefined) {
        throw new InvalidInputError(
          `points[${index}].${variable}`,
          value,
          `missing, but the fit uses ${variable}; give every point a value or choose another variable`,
        );
      }
      (logInputs[column] as Float64Array)[index] = positiveLog(value, `points[${index}].${variable}`, variable);
    });
  });
  return { logInputs, logLoss };
}

function positiveLog(value: number, field: string, meaning: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidInputError(field, value, `${meaning} must be a finite positive number because the fit takes its log, got ${formatValue(value)}`);
  }
  return Math.log(value);
}

/** Returns why the design cannot identify the form's parameters, or null when it can. */
export function checkIdentifiable(design: LogDesign, model: FormModel, variables: readonly ScalingVariable[]): string | null {
  const pointCount = design.logLoss.length;
  if (pointCount < model.parameterCount) {
    return (
      `the ${model.form} form has ${model.parameterCount} parameters but only ${pointCount} points were given; ` +
      'add points or use a form with fewer parameters (pure has 2)'
    );
  }

  // Each power term plus its share of the constant needs this many distinct x values.
  const distinctNeeded = model.form === 'pure' ? 2 : 3;
  for (let column = 0; column < variables.length; column++) {
    const distinct = new Set(design.logInputs[column]).size;
    if (distinct === 1) {
      return `all points have the same ${variables[column]}, so its exponent is undefined; vary ${variables[column]} across points`;
    }
    if (distinct < distinctNeeded) {
      return (
        `${variables[column]} takes only ${distinct} distinct values, but the ${model.form} form needs at least ` +
        `${distinctNeeded} to identify its ${variables[column]} term; add points at other ${variables[column]}`
      );
    }
  }
  return null;
}

/** Lists warnings about the design: few points per parameter, a short x range, collinear N and D. */
export function describeDesign(design: LogDesign, model: FormModel, variables: readonly ScalingVariable[]): string[] {
  const warnings: string[] = [];
  const pointCount = design.logLoss.length;

  if (pointCount === model.parameterCount) {
    warnings.push(
      `${pointCount} points for ${model.parameterCount} parameters: the fit passes through every point, ` +
        'so the residuals say nothing about whether the form is right',
    );
  } else if (pointCount < 2 * model.parameterCount) {
    warnings.push(
      `${pointCount} points for ${model.parameterCount} parameters: fewer than 2 points per parameter, ` +
        'so the estimates and intervals are fragile',
    );
  }

  variables.forEach((variable, column) => {
    const logValues = design.logInputs[column] as Float64Array;
    const ratio = Math.exp(Math.max(...logValues) - Math.min(...logValues));
    if (ratio < DECADE) {
      warnings.push(
        `${variable} spans only a factor of ${ratio.toPrecision(3)} (less than a decade), so the exponent is poorly constrained`,
      );
    }
  });

  const logN = design.logInputs[0] as Float64Array;
  const logD = design.logInputs[1] as Float64Array;
  if (model.form === 'two-term' && Math.abs(correlation(logN, logD)) > COLLINEAR_CORRELATION) {
    warnings.push(
      'ln N and ln D are almost perfectly correlated, so the N and D terms are told apart only by their exponents; ' +
        'vary N and D independently for a reliable split',
    );
  }
  return warnings;
}

function correlation(xs: Float64Array, ys: Float64Array): number {
  const n = xs.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i] as number;
    meanY += ys[i] as number;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
