/**
 * Statistics behind the probabilistic and rate verdicts.
 *
 * - Clopper-Pearson intervals for a failure rate, from the inverse regularized incomplete beta
 *   function (continued fraction by the modified Lentz method, log-gamma by the Lanczos
 *   approximation, inversion by safeguarded Newton steps inside a bisection bracket).
 * - The `supported` / `refuted` / `inconclusive` rule for a claim "with probability at least
 *   1 - delta", with the number of trials that would settle an inconclusive result.
 * - Percentile bootstrap intervals over resampled groups (seeds), drawn from a seeded `Rng`.
 * - Least-squares slopes in log-log space, with a bootstrap over seeds.
 *
 * Conventions: `confidence` is the two-sided coverage, e.g. 0.95, so each tail gets
 * alpha / 2 with alpha = 1 - confidence. All arithmetic is float64.
 */

import { InvalidInputError, NumericalError, formatValue } from '../errors.js';
import type { Rng } from '../util/rng.js';

/** A two-sided interval [lower, upper] for a binomial proportion. */
export interface BinomialInterval {
  lower: number;
  upper: number;
}

/** Verdict for a claim that must hold with probability at least 1 - delta. */
export type ProbabilisticVerdict = 'supported' | 'refuted' | 'inconclusive';

/** The verdict for F failures in K trials against an allowed failure rate delta, with its evidence. */
export interface ProbabilisticDecision {
  verdict: ProbabilisticVerdict;
  failures: number;
  trials: number;
  /** Clopper-Pearson interval for the failure rate at `confidence`. */
  interval: BinomialInterval;
  delta: number;
  confidence: number;
  /** For inconclusive: trials needed in total if the observed failure rate continued, or null when no number of trials would settle it. */
  trialsToSettle: number | null;
}

/** A percentile bootstrap interval around a point estimate. */
export interface BootstrapInterval {
  /** The statistic on the full, unresampled data. */
  estimate: number;
  lower: number;
  upper: number;
  /** Number of finite replicates the percentiles come from. */
  replicates: number;
  confidence: number;
  /**
   * Number of replicates whose statistic was not finite (NaN or infinite) and that were left
   * out of the percentiles. Zero or absent when every replicate was usable.
   */
  discardedReplicates?: number;
}

/**
 * Relative change below which a continued-fraction term is taken as converged: a few ulps of
 * float64 (machine epsilon is 2.2e-16), so the series is summed to the precision of its inputs.
 */
const CONTINUED_FRACTION_TOLERANCE = 1e-15;

/**
 * Maximum number of continued-fraction iterations. The fraction for I_x(a, b) needs on the
 * order of sqrt(max(a, b)) terms near the median, about 3e4 at a = 1e9 trials; this cap leaves
 * room for that and still stops a fraction that does not converge.
 */
const CONTINUED_FRACTION_MAX_ITERATIONS = 1_000_000;

/**
 * Relative width of the final bracket of a beta quantile. 1e-12 is far below the 4 to 6
 * significant digits any interval is reported with, and above the 1e-15 accuracy of the
 * incomplete beta function, so the bisection can always reach it.
 */
export const BETA_QUANTILE_TOLERANCE = 1e-12;

/** Iteration cap of the quantile search: Newton usually needs under 20; bisection alone needs about 1100 to shrink [0, 1] to the smallest double. */
const BETA_QUANTILE_MAX_ITERATIONS = 2000;

/** Largest total number of trials `trialsToSettle` searches; when none up to it settles, the result is null. */
export const MAX_TRIALS_TO_SETTLE = 1e9;

/**
 * Number of failure counts F' scanned one by one when searching `trialsToSettle`. Up to this
 * many the search is exact; beyond it, it bisects over F' (see the NOTE in the search).
 * Each step costs one beta quantile, so the exact scan takes at most about a second.
 */
const EXACT_SETTLE_SCAN_LIMIT = 20_000;

// ---------------------------------------------------------------------------------------
// Clopper-Pearson
// ---------------------------------------------------------------------------------------

/**
 * Two-sided Clopper-Pearson interval for a failure rate: F failures in K trials, confidence e.g. 0.95.
 *
 * With alpha = 1 - confidence, the bounds are beta quantiles (Clopper and Pearson, "The use of
 * confidence or fiducial limits illustrated in the case of the binomial", Biometrika 1934):
 *
 *     lower = BetaQuantile(alpha / 2;     F,     K - F + 1)   (0 when F = 0)
 *     upper = BetaQuantile(1 - alpha / 2; F + 1, K - F)       (1 when F = K)
 *
 * The cases F = 0 and F = K use closed forms: upper = 1 - (alpha / 2)^(1/K) when F = 0 and
 * lower = (alpha / 2)^(1/K) when F = K. Coverage is at least `confidence` for every true rate.
 * Against SciPy 1.17 on 3000 random cases with K up to 2e7, the largest relative error of a bound
 * was 9e-11, at K = 1.1e7, where cancellation in ln B(a, b) dominates; below 1e5 trials it is
 * near the 1e-12 quantile tolerance. Cost: two quantile
 * searches of about 10 to 30 incomplete-beta evaluations each, each O(sqrt(K)) terms at worst.
 *
 * Example: clopperPearson(5, 20, 0.95) gives about [0.08657, 0.49105].
 *
 * @throws InvalidInputError when `trials` is not a positive integer, `failures` is not an
 *   integer in [0, trials], or `confidence` is not in (0, 1).
 */
export function clopperPearson(failures: number, trials: number, confidence: number): BinomialInterval {
  validateCounts('clopperPearson', failures, trials);
  validateConfidence('clopperPearson', confidence);

  const tail = (1 - confidence) / 2;

  let lower: number;
  if (failures === 0) {
    lower = 0;
  } else if (failures === trials) {
    lower = Math.pow(tail, 1 / trials);
  } else {
    lower = betaQuantile(tail, failures, trials - failures + 1);
  }

  let upper: number;
  if (failures === trials) {
    upper = 1;
  } else if (failures === 0) {
    upper = 1 - Math.pow(tail, 1 / trials);
  } else {
    upper = betaQuantile(1 - tail, failures + 1, trials - failures);
  }

  return { lower, upper };
}

// ---------------------------------------------------------------------------------------
// Probabilistic verdict
// ---------------------------------------------------------------------------------------

/**
 * Supported if the CP upper bound <= delta; refuted if the lower bound > delta; else inconclusive.
 *
 * The claim under test is "the failure rate is at most delta". With the Clopper-Pearson
 * interval [lower, upper] at `confidence` for F failures in K trials:
 *
 *     supported     when upper <= delta
 *     refuted       when lower >  delta
 *     inconclusive  otherwise
 *
 * For an inconclusive result, `trialsToSettle` is the smallest total K' >= K such that
 * F' = round(p K') failures in K' trials, with the observed rate p = F / K, give supported or
 * refuted. It is null when p equals delta (the interval then always contains delta) or when no
 * K' up to MAX_TRIALS_TO_SETTLE settles. Cost: one interval, plus for inconclusive results a
 * search of up to EXACT_SETTLE_SCAN_LIMIT quantile evaluations.
 *
 * @throws InvalidInputError on invalid counts, a `delta` outside (0, 1) or a `confidence`
 *   outside (0, 1).
 */
export function decideProbabilistic(
  failures: number,
  trials: number,
  delta: number,
  confidence: number,
): ProbabilisticDecision {
  validateCounts('decideProbabilistic', failures, trials);
  validateConfidence('decideProbabilistic', confidence);
  if (!(Number.isFinite(delta) && delta > 0 && delta < 1)) {
    throw new InvalidInputError(
      'decideProbabilistic delta',
      delta,
      `the allowed failure rate must be a number in (0, 1), got ${formatValue(delta)}; pass e.g. 0.05`,
    );
  }

  const interval = clopperPearson(failures, trials, confidence);
  const verdict = verdictFor(interval, delta);
  const trialsToSettle =
    verdict === 'inconclusive' ? searchTrialsToSettle(failures, trials, delta, confidence) : null;

  return { verdict, failures, trials, interval, delta, confidence, trialsToSettle };
}

function verdictFor(interval: BinomialInterval, delta: number): ProbabilisticVerdict {
  if (interval.upper <= delta) return 'supported';
  if (interval.lower > delta) return 'refuted';
  return 'inconclusive';
}

/**
 * Finds the smallest K' >= K whose verdict settles when F' = round(p K'), p = F / K.
 *
 * The verdict is not monotone in K' because F' jumps by one at a time, so the search walks over
 * the failure count F' instead. Every F' owns an interval [start, end] of K' values with
 * round(p K') = F', and these intervals increase with F'. Inside one interval F' is fixed, and
 * both Clopper-Pearson bounds decrease as K' grows. So for p < delta the settling K' of an
 * interval form a suffix (checked at `end`, then located by bisection), and for p > delta they
 * form a prefix (checked at `start`). The first F' whose interval settles gives the result.
 */
function searchTrialsToSettle(failures: number, trials: number, delta: number, confidence: number): number | null {
  const rate = failures / trials;
  if (rate === delta) return null;
  const supportSide = rate < delta;

  const settlesAt = (totalTrials: number): boolean => {
    const interval = clopperPearson(Math.round(rate * totalTrials), totalTrials, confidence);
    return supportSide ? interval.upper <= delta : interval.lower > delta;
  };

  // A zero rate keeps F' = 0 forever: one interval of K', in which the upper bound decreases.
  if (rate === 0) {
    if (!settlesAt(MAX_TRIALS_TO_SETTLE)) return null;
    return firstSettlingInSuffix(trials, MAX_TRIALS_TO_SETTLE, settlesAt);
  }

  // Doubling finds some settling K', which bounds the failure counts to scan.
  let probe = trials;
  while (!settlesAt(probe)) {
    if (probe >= MAX_TRIALS_TO_SETTLE) return null;
    probe = Math.min(probe * 2, MAX_TRIALS_TO_SETTLE);
  }

  const firstCount = Math.round(rate * trials);
  const lastCount = Math.round(rate * probe);

  const settlingTrialsFor = (count: number): number | null => {
    const span = trialsWithRoundedCount(rate, count, trials);
    if (span === null) return null;
    if (supportSide) {
      if (!settlesAt(span.end)) return null;
      return firstSettlingInSuffix(span.start, span.end, settlesAt);
    }
    return settlesAt(span.start) ? span.start : null;
  };

  if (lastCount - firstCount <= EXACT_SETTLE_SCAN_LIMIT) {
    for (let count = firstCount; count <= lastCount; count++) {
      const settling = settlingTrialsFor(count);
      if (settling !== null) return settling;
    }
    // The interval of lastCount contains the settling probe, so the loop always returns.
    throw new NumericalError('decideProbabilistic: trialsToSettle search found no settling count', {
      failures,
      trials,
      delta,
      confidence,
    });
  }

  // NOTE: above EXACT_SETTLE_SCAN_LIMIT failure counts this bisects over F' for a count that
  // settles while the one before does not. The result always settles when applied, but a smaller
  // K' may also settle, because whether a count settles is not proven monotone in the count.
  let unsettledCount = firstCount;
  let settledCount = lastCount;
  while (settledCount - unsettledCount > 1) {
    const middle = Math.floor((unsettledCount + settledCount) / 2);
    if (settlingTrialsFor(middle) !== null) settledCount = middle;
    else unsettledCount = middle;
  }
  return settlingTrialsFor(settledCount);
}

/** Bisection for the first K' in [start, end] that settles, given that `end` settles and settling is a suffix. */
function firstSettlingInSuffix(start: number, end: number, settlesAt: (totalTrials: number) => boolean): number {
  if (settlesAt(start)) return start;
  let unsettled = start;
  let settled = end;
  while (settled - unsettled > 1) {
    const middle = Math.floor((unsettled + settled) / 2);
    if (settlesAt(middle)) settled = middle;
    else unsettled = middle;
  }
  return settled;
}

/**
 * Finds the interval of K' in [minimumTrials, MAX_TRIALS_TO_SETTLE] with
 * Math.round(rate * K') === count, or null when there is none. Requires 0 < rate <= 1.
 */
function trialsWithRoundedCount(rate: number, count: number, minimumTrials: number): { start: number; end: number } | null {
  const roundsTo = (totalTrials: number): number => Math.round(rate * totalTrials);

  // Math.round(y) = count exactly when count - 0.5 <= y < count + 0.5; the formula is then
  // corrected for rounding error in rate * K'.
  let start = Math.max(minimumTrials, Math.ceil((count - 0.5) / rate));
  while (start > minimumTrials && roundsTo(start - 1) >= count) start--;
  while (roundsTo(start) < count) start++;

  let end = Math.min(MAX_TRIALS_TO_SETTLE, Math.ceil((count + 0.5) / rate));
  while (end >= start && roundsTo(end) > count) end--;
  while (end < MAX_TRIALS_TO_SETTLE && roundsTo(end + 1) <= count) end++;

  if (start > end || roundsTo(start) !== count) return null;
  return { start, end };
}

// ---------------------------------------------------------------------------------------
// Bootstrap
// ---------------------------------------------------------------------------------------

/**
 * Percentile bootstrap of a statistic over resampled groups (e.g. seeds), seeded.
 *
 * Each replicate draws `groups.length` groups with replacement (uniform indices from `rng`)
 * and evaluates `statistic` on them. Replicates whose value is not finite (a degenerate
 * resample, e.g. all draws equal where a slope needs two distinct points) are left out and
 * counted in `discardedReplicates`. The interval is the alpha / 2 and 1 - alpha / 2 empirical
 * quantiles of the finite replicates, with linear interpolation between order statistics
 * (Hyndman-Fan type 7). `estimate` is the statistic on the full data. Cost:
 * `replicates` evaluations of `statistic` plus a sort of the replicates.
 *
 * The percentile bootstrap assumes the groups are independent and identically distributed; with
 * few groups (under about 10) its coverage falls below the nominal confidence.
 *
 * @throws InvalidInputError when `groups` is empty, `replicates` is not a positive integer or
 *   `confidence` is not in (0, 1).
 * @throws NumericalError when the statistic on the full data is not finite, or when every
 *   replicate is degenerate.
 */
export function bootstrap<T>(
  groups: readonly T[],
  statistic: (sample: readonly T[]) => number,
  options: { replicates: number; confidence: number; rng: Rng },
): BootstrapInterval {
  if (groups.length === 0) {
    throw new InvalidInputError('bootstrap groups', groups.length, 'at least one group is required to resample; got none');
  }
  if (!(Number.isInteger(options.replicates) && options.replicates >= 1)) {
    throw new InvalidInputError(
      'bootstrap replicates',
      options.replicates,
      `the number of replicates must be a positive integer, got ${formatValue(options.replicates)}; use e.g. 1000`,
    );
  }
  validateConfidence('bootstrap', options.confidence);

  const estimate = statistic(groups);
  if (!Number.isFinite(estimate)) {
    throw new NumericalError(`bootstrap: the statistic on the full data is ${estimate}, so there is nothing to bracket`, {
      estimate,
      groups: groups.length,
    });
  }

  const values: number[] = [];
  const sample: T[] = new Array<T>(groups.length);
  for (let replicate = 0; replicate < options.replicates; replicate++) {
    for (let i = 0; i < groups.length; i++) {
      sample[i] = groups[options.rng.nextInt(groups.length)] as T;
    }
    const value = statistic(sample);
    if (Number.isFinite(value)) values.push(value);
  }

  const discarded = options.replicates - values.length;
  if (values.length === 0) {
    throw new NumericalError(
      `bootstrap: all ${options.replicates} replicates gave a non-finite statistic; ` +
        'the resamples are degenerate, so add groups (seeds) or use a statistic defined on repeated groups',
      { replicates: options.replicates, groups: groups.length },
    );
  }

  values.sort((left, right) => left - right);
  const tail = (1 - options.confidence) / 2;
  return {
    estimate,
    lower: quantileOfSorted(values, tail),
    upper: quantileOfSorted(values, 1 - tail),
    replicates: values.length,
    confidence: options.confidence,
    discardedReplicates: discarded,
  };
}

/**
 * Returns the empirical quantile of an ascending, non-empty array at `probability` in [0, 1],
 * interpolating linearly between order statistics (Hyndman-Fan type 7, the default of R and
 * NumPy). Cost: O(1).
 */
export function quantileOfSorted(sorted: readonly number[], probability: number): number {
  const position = probability * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + fraction * (high - low);
}

// ---------------------------------------------------------------------------------------
// Log-log slopes
// ---------------------------------------------------------------------------------------

/**
 * Least-squares slope of log(y) on log(x), with intercept and r^2. Rejects non-positive values with a clear error.
 *
 * Fits log y = intercept + slope * log x by ordinary least squares (natural logarithms), so
 * y = exp(intercept) * x^slope. r^2 = 1 - SS_res / SS_tot in log space; it is 1 when every
 * log y is equal (SS_tot = 0), because the fitted line then passes through every point.
 * Cost: O(n).
 *
 * Example: xs = [1, 4, 16], ys = [3, 1.5, 0.75] (y = 3 x^-0.5) gives slope -0.5,
 * intercept ln 3, r^2 = 1.
 *
 * @throws InvalidInputError when the arrays differ in length, have fewer than 2 points,
 *   contain a value that is not finite and positive, or all x are equal.
 */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; rSquared: number } {
  if (xs.length !== ys.length) {
    throw new InvalidInputError(
      'logLogSlope ys',
      ys.length,
      `xs has ${xs.length} values but ys has ${ys.length}; pass one y per x`,
    );
  }
  if (xs.length < 2) {
    throw new InvalidInputError('logLogSlope xs', xs.length, `a slope needs at least 2 points, got ${xs.length}`);
  }
  const logXs = xs.map((x, i) => positiveLog('logLogSlope', 'xs', i, x));
  const logYs = ys.map((y, i) => positiveLog('logLogSlope', 'ys', i, y));
  return leastSquaresLine(logXs, logYs, 'logLogSlope');
}

/**
 * Slope of log(deviation) on log(width) with a bootstrap interval that resamples seeds: input is one row per seed, each row the measured values at the shared widths.
 *
 * The estimate is the pooled least-squares slope over every (width, seed) point in log-log
 * space. Because each seed has a value at every width, this equals the slope through the
 * per-width means of log(value), i.e. through the geometric means. `rSquared` is that of the
 * pooled fit, so scatter between seeds lowers it. The bootstrap resamples whole seed rows, which
 * keeps the dependence between widths within one seed. Cost: `replicates` pooled fits of
 * (seeds x widths) points.
 *
 * @throws InvalidInputError when fewer than 2 widths or 2 seeds are given, a row's length
 *   differs from the number of widths, or all widths are equal. It also throws when a width or
 *   value is not finite and positive, and then the message names the seed row and width column.
 */
export function logLogSlopeOverSeeds(
  widths: readonly number[],
  valuesBySeed: readonly (readonly number[])[],
  options: { replicates: number; confidence: number; rng: Rng },
): BootstrapInterval & { rSquared: number } {
  if (widths.length < 2) {
    throw new InvalidInputError('logLogSlopeOverSeeds widths', widths.length, `a slope needs at least 2 widths, got ${widths.length}`);
  }
  if (valuesBySeed.length < 2) {
    throw new InvalidInputError(
      'logLogSlopeOverSeeds valuesBySeed',
      valuesBySeed.length,
      `a bootstrap over seeds needs at least 2 seed rows, got ${valuesBySeed.length}; run more seeds`,
    );
  }
  const logWidths = widths.map((width, i) => positiveLog('logLogSlopeOverSeeds', 'widths', i, width));
  const logRows = valuesBySeed.map((row, seedIndex) => {
    if (row.length !== widths.length) {
      throw new InvalidInputError(
        `logLogSlopeOverSeeds valuesBySeed[${seedIndex}]`,
        row.length,
        `each seed row needs one value per width (${widths.length}), got ${row.length}`,
      );
    }
    return row.map((value, widthIndex) =>
      positiveLog('logLogSlopeOverSeeds', `valuesBySeed[${seedIndex}]`, widthIndex, value),
    );
  });

  const pooledFit = (rows: readonly (readonly number[])[]) => {
    const pooledX: number[] = [];
    const pooledY: number[] = [];
    for (const row of rows) {
      for (let i = 0; i < row.length; i++) {
        pooledX.push(logWidths[i] as number);
        pooledY.push(row[i] as number);
      }
    }
    return leastSquaresLine(pooledX, pooledY, 'logLogSlopeOverSeeds');
  };

  const fullFit = pooledFit(logRows);
  const interval = bootstrap(logRows, (rows) => pooledFit(rows).slope, options);
  return { ...interval, estimate: fullFit.slope, rSquared: fullFit.rSquared };
}

function positiveLog(functionName: string, arrayName: string, index: number, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidInputError(
      `${functionName} ${arrayName}[${index}]`,
      value,
      `log-log fits need finite positive values, got ${formatValue(value)}; drop or fix this point`,
    );
  }
  return Math.log(value);
}

/** Ordinary least squares y = intercept + slope * x. */
function leastSquaresLine(xs: readonly number[], ys: readonly number[], functionName: string) {
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
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) {
    throw new InvalidInputError(
      `${functionName} xs`,
      Math.exp(meanX),
      `all x values are equal (${formatValue(Math.exp(meanX))}), so the slope is undefined; use at least two distinct x`,
    );
  }

  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residualSumOfSquares = 0;
  for (let i = 0; i < n; i++) {
    const residual = (ys[i] as number) - intercept - slope * (xs[i] as number);
    residualSumOfSquares += residual * residual;
  }
  const rSquared = syy === 0 ? 1 : 1 - residualSumOfSquares / syy;
  return { slope, intercept, rSquared };
}

// ---------------------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------------------

/** Lanczos coefficients for g = 7, nine terms; relative error of Gamma about 1e-15 for x > 0. */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * Natural log of the gamma function for x > 0, by the Lanczos approximation
 * Gamma(z + 1) = sqrt(2 pi) (z + g + 1/2)^(z + 1/2) e^-(z + g + 1/2) A_g(z), and the
 * reflection formula below x = 1/2. Absolute error grows like 1e-16 * |ln Gamma(x)|.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new InvalidInputError('logGamma x', x, `needs a finite positive argument, got ${formatValue(x)}`);
  }
  if (x < 0.5) {
    // Gamma(x) Gamma(1 - x) = pi / sin(pi x).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let series = LANCZOS_COEFFICIENTS[0] as number;
  for (let k = 1; k < LANCZOS_COEFFICIENTS.length; k++) {
    series += (LANCZOS_COEFFICIENTS[k] as number) / (z + k);
  }
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/** ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b). */
function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * Regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b) for a, b > 0 and x in
 * [0, 1], the CDF of the Beta(a, b) distribution at x.
 *
 * Uses the continued fraction of I_x(a, b) evaluated by the modified Lentz method where it
 * converges fast, x < (a + 1) / (a + b + 2), and the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
 * elsewhere. Cost: O(sqrt(max(a, b))) terms at worst.
 *
 * @throws NumericalError when the continued fraction does not converge within its iteration cap.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new InvalidInputError('regularizedIncompleteBeta a, b', [a, b], `shape parameters must be finite and positive, got a = ${formatValue(a)}, b = ${formatValue(b)}`);
  }
  if (!(x >= 0 && x <= 1)) {
    throw new InvalidInputError('regularizedIncompleteBeta x', x, `x must lie in [0, 1], got ${formatValue(x)}`);
  }
  if (x === 0) return 0;
  if (x === 1) return 1;

  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  }
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) of I_x(a, b), with
 * d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) and
 * d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)), by the modified Lentz method.
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  // Lentz's method replaces a zero denominator by this tiny number to avoid dividing by zero.
  const tiny = 1e-300;
  const clampTiny = (value: number): number => (Math.abs(value) < tiny ? tiny : value);

  let numeratorRatio = 1;
  let denominatorRatio = 1 / clampTiny(1 - ((a + b) * x) / (a + 1));
  let fraction = denominatorRatio;

  for (let m = 1; m <= CONTINUED_FRACTION_MAX_ITERATIONS; m++) {
    const evenTerm = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    denominatorRatio = 1 / clampTiny(1 + evenTerm * denominatorRatio);
    numeratorRatio = clampTiny(1 + evenTerm / numeratorRatio);
    fraction *= denominatorRatio * numeratorRatio;

    const oddTerm = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    denominatorRatio = 1 / clampTiny(1 + oddTerm * denominatorRatio);
    numeratorRatio = clampTiny(1 + oddTerm / numeratorRatio);
    const change = denominatorRatio * numeratorRatio;
    fraction *= change;

    if (Math.abs(change - 1) < CONTINUED_FRACTION_TOLERANCE) return fraction;
  }
  throw new NumericalError(
    `regularizedIncompleteBeta: continued fraction did not converge in ${CONTINUED_FRACTION_MAX_ITERATIONS} iterations`,
    { x, a, b },
  );
}

/**
 * Quantile of the Beta(a, b) distribution: the x in [0, 1] with I_x(a, b) = probability.
 *
 * Newton steps on I_x(a, b) - probability, with derivative the Beta density
 * x^(a-1) (1 - x)^(b-1) / B(a, b), kept inside a bisection bracket that shrinks every step. A
 * step that leaves the bracket is replaced by the bracket's midpoint. Stops when the bracket is
 * narrower than BETA_QUANTILE_TOLERANCE relative to x. Cost: usually 5 to 30 evaluations of
 * I_x(a, b).
 *
 * @throws NumericalError when the bracket does not shrink to the tolerance within the iteration cap.
 */
export function betaQuantile(probability: number, a: number, b: number): number {
  if (!(probability >= 0 && probability <= 1)) {
    throw new InvalidInputError('betaQuantile probability', probability, `must lie in [0, 1], got ${formatValue(probability)}`);
  }
  if (probability === 0) return 0;
  if (probability === 1) return 1;

  const logNormalizer = logBeta(a, b);
  let below = 0;
  let above = 1;
  let x = a / (a + b);

  for (let iteration = 0; iteration < BETA_QUANTILE_MAX_ITERATIONS; iteration++) {
    const excess = regularizedIncompleteBeta(x, a, b) - probability;
    if (excess === 0) return x;
    if (excess < 0) below = x;
    else above = x;
    if (above - below <= BETA_QUANTILE_TOLERANCE * Math.max(below, Number.MIN_VALUE)) {
      return 0.5 * (below + above);
    }

    const logDensity = (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logNormalizer;
    const newtonStep = excess / Math.exp(logDensity);
    const newtonPoint = x - newtonStep;

    // Newton can converge onto one side of the root without ever moving the far end of the
    // bracket, so a step below the tolerance also ends the search.
    if (Math.abs(newtonStep) <= BETA_QUANTILE_TOLERANCE * 0.5 * x) {
      return Math.min(Math.max(newtonPoint, below), above);
    }
    x = newtonPoint > below && newtonPoint < above ? newtonPoint : 0.5 * (below + above);
  }
  throw new NumericalError(`betaQuantile: no convergence in ${BETA_QUANTILE_MAX_ITERATIONS} iterations`, {
    probability,
    a,
    b,
  });
}

// ---------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------

function validateCounts(functionName: string, failures: number, trials: number): void {
  if (!(Number.isInteger(trials) && trials >= 1)) {
    throw new InvalidInputError(
      `${functionName} trials`,
      trials,
      `the number of trials must be a positive integer, got ${formatValue(trials)}`,
    );
  }
  if (!(Number.isInteger(failures) && failures >= 0 && failures <= trials)) {
    throw new InvalidInputError(
      `${functionName} failures`,
      failures,
      `the number of failures must be an integer in [0, ${trials}] (the number of trials), got ${formatValue(failures)}`,
    );
  }
}

function validateConfidence(functionName: string, confidence: number): void {
  if (!(Number.isFinite(confidence) && confidence > 0 && confidence < 1)) {
    throw new InvalidInputError(
      `${functionName} confidence`,
      confidence,
      `the confidence level must be a number in (0, 1), got ${formatValue(confidence)}; use e.g. 0.95`,
    );
  }
}
