/**
 * The log-space design of a fit: input checks, identifiability and warnings about the data.
 */

import { InvalidInputError, formatValue } from '../errors.js';
import type { FormModel, LogDesign } from './forms.js';
import type { HuberMinimum } from './levenbergMarquardt.js';
import type { ScalingPoint, ScalingVariable } from './types.js';

/** Largest x range, max / min, that counts as less than a decade and draws a warning. */
const DECADE = 10;

/**
 * |correlation| of ln N and ln D above which a two-term fit draws a warning. At 0.999 the two
 * inputs share 99.8% of their variance, so the data barely separate the N and D terms.
 */
const COLLINEAR_CORRELATION = 0.999;

/**
 * Spread of ln L, max minus min, below which the loss counts as constant. It is a relative change
 * of 1e-12 in L, at least 4500 ulps of a double, so losses that close differ only by rounding.
 */
export const CONSTANT_LOSS_SPREAD = 1e-12;

/**
 * Spread of ln L below which the fit draws a warning. Losses logged in single precision are rounded
 * to a relative 6e-8 (2^-24), so a spread under 1e-6 is within about 17 of those rounding errors.
 */
const SMALL_LOSS_SPREAD = 1e-6;

const VARIABLE_MEANINGS: Readonly<Record<ScalingVariable, string>> = { N: 'model size', D: 'data size', C: 'compute' };

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

  const spread = logLossSpread(design.logLoss);
  if (spread < CONSTANT_LOSS_SPREAD) {
    // Rounding to 12 digits undoes the round trip through the log, so a loss of 3 prints as 3.
    const loss = Number(Math.exp(design.logLoss[0] as number).toPrecision(12));
    return (
      `the loss is the same at every point, ${formatValue(loss)} up to rounding ` +
      `(max ln L - min ln L = ${formatValue(spread)}, below ${CONSTANT_LOSS_SPREAD.toExponential()}), so the exponent and scale of the ` +
      `${model.form} form are undefined; check the loss or perplexity column, or fit runs whose loss changes with ${variables.join(' and ')}`
    );
  }
  return null;
}

/**
 * Returns why a fitted estimate cannot be reported, or null when it can. It cannot when a
 * residual or a reported parameter is not finite, or when the pure form's X_c rounds to 0.
 */
export function checkEstimate(model: FormModel, minimum: HuberMinimum, variables: readonly ScalingVariable[]): string | null {
  const variableList = variables.join(' and ');
  if (!minimum.residuals.every(Number.isFinite)) {
    return (
      `the ${model.form} form gives no finite prediction of ln L for these data from any start; ` +
      `rescale ${variableList} or the loss so that the values lie nearer 1`
    );
  }

  const reported = model.toReported(minimum.parameters);
  if (model.form === 'pure') {
    // X_c = exp(k / alpha) leaves the range of a double when alpha is almost 0 or X lies many decades from X_c.
    const scale = reported[0] as number;
    if (!(Number.isFinite(scale) && scale > 0)) {
      const name = model.parameterNames[0] as string;
      const intercept = minimum.parameters[0] as number;
      const alpha = minimum.parameters[1] as number;
      return (
        `the fitted ${name} is ${formatValue(scale)} because ln ${name} = k / alpha = ${formatValue(intercept / alpha)} ` +
        `lies outside the range of a double (alpha = ${formatValue(alpha)}); this happens when alpha is almost 0 because the ` +
        `loss barely changes with ${variableList}, or when ${variableList} lies many decades from ${name}, so check the loss and ` +
        `${variableList} columns or give ${variableList} in other units`
      );
    }
  }
  const index = reported.findIndex((value) => !Number.isFinite(value));
  if (index >= 0) {
    return (
      `the fitted ${model.parameterNames[index]} is ${formatValue(reported[index])}, outside the range of a double; ` +
      `give ${variableList} in larger units (for example millions) so that the fitted terms stay finite`
    );
  }
  return null;
}

/**
 * Lists warnings about a reported estimate: an exponent below 0, which makes the fitted loss
 * grow with its variable instead of falling.
 */
export function describeEstimate(model: FormModel, reported: readonly number[], variables: readonly ScalingVariable[]): string[] {
  const warnings: string[] = [];
  variables.forEach((variable, column) => {
    // The first variable's exponent is alpha in every form, and two-term names D's exponent beta.
    const name = column === 0 ? 'alpha' : 'beta';
    const exponent = reported[model.parameterNames.indexOf(name)] as number;
    if (exponent < 0) {
      warnings.push(
        `${name} = ${formatValue(exponent)} is negative, so the fitted loss grows with ${variable}, unlike a scaling law; ` +
          `check that the loss column holds a loss (lower is better) and the ${variable} column the ${VARIABLE_MEANINGS[variable]}`,
      );
    }
  });
  return warnings;
}

/** Lists warnings about the design: few points per parameter, a short x range, a loss that barely varies, collinear N and D. */
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

  const spread = logLossSpread(design.logLoss);
  if (spread < SMALL_LOSS_SPREAD) {
    warnings.push(
      `the loss changes by only ${formatValue(spread)} in ln L across the points, less than ${SMALL_LOSS_SPREAD.toExponential()}, so the ` +
        'fit follows differences near the rounding of single-precision losses; check the loss or perplexity column',
    );
  }

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

function logLossSpread(logLoss: Float64Array): number {
  let smallest = Number.POSITIVE_INFINITY;
  let largest = Number.NEGATIVE_INFINITY;
  for (const value of logLoss) {
    smallest = Math.min(smallest, value);
    largest = Math.max(largest, value);
  }
  return largest - smallest;
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
