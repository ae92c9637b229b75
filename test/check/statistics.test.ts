import { describe, expect, it } from 'vitest';

import { InvalidInputError, NumericalError } from '../../src/errors.js';
import { createRng } from '../../src/util/rng.js';
import {
  betaQuantile,
  bootstrap,
  clopperPearson,
  decideProbabilistic,
  logGamma,
  logLogSlope,
  logLogSlopeOverSeeds,
  regularizedIncompleteBeta,
} from '../../src/check/statistics.js';

/** Agreement expected between two float64 evaluations of the same smooth special function. */
const SPECIAL_FUNCTION_TOLERANCE = 1e-12;

/** Half a unit in the 4th decimal: published Clopper-Pearson tables give 4 decimals. */
const TABLE_TOLERANCE = 5e-5;

/** Agreement of the quantile with an independent bisection that stops at 1e-14 wide brackets. */
const QUANTILE_CROSS_CHECK_TOLERANCE = 1e-10;

/** Exact least squares on noise-free power-law data leaves only float64 rounding. */
const EXACT_FIT_TOLERANCE = 1e-12;

/** Binomial tail P(X >= k) for X ~ Binomial(n, p), by summing probability terms directly. */
function binomialUpperTail(k: number, n: number, p: number): number {
  let total = 0;
  for (let j = k; j <= n; j++) {
    total += Math.exp(logChoose(n, j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
  }
  return total;
}

/** ln C(n, k) from sums of logs, independent of the library's log-gamma. */
function logChoose(n: number, k: number): number {
  let total = 0;
  for (let i = 1; i <= k; i++) total += Math.log(n - k + i) - Math.log(i);
  return total;
}

/** Root of a decreasing or increasing function on [0, 1] by plain bisection. */
function bisect(f: (p: number) => number, target: number): number {
  let low = 0;
  let high = 1;
  const increasing = f(0.75) > f(0.25);
  while (high - low > 1e-14) {
    const middle = 0.5 * (low + high);
    const aboveTarget = f(middle) > target;
    if (aboveTarget === increasing) high = middle;
    else low = middle;
  }
  return 0.5 * (low + high);
}

function settles(failures: number, trials: number, delta: number, confidence: number): boolean {
  const interval = clopperPearson(failures, trials, confidence);
  return interval.upper <= delta || interval.lower > delta;
}

describe('logGamma', () => {
  it('matches factorials at integers', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(Math.abs(logGamma(10) - Math.log(362880))).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
  });

  it('matches sqrt(pi) at one half', () => {
    expect(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
  });

  it('satisfies Gamma(x + 1) = x Gamma(x) below one half', () => {
    const x = 0.2;
    expect(Math.abs(logGamma(x + 1) - logGamma(x) - Math.log(x))).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
  });

  it('rejects non-positive arguments', () => {
    expect(() => logGamma(0)).toThrow(InvalidInputError);
  });
});

describe('regularizedIncompleteBeta', () => {
  it('is the identity for a = b = 1', () => {
    for (const x of [0, 0.1, 0.5, 0.9, 1]) {
      expect(Math.abs(regularizedIncompleteBeta(x, 1, 1) - x)).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
    }
  });

  it('matches closed forms for unit shapes', () => {
    for (const x of [0.05, 0.3, 0.7, 0.95]) {
      expect(Math.abs(regularizedIncompleteBeta(x, 3.5, 1) - x ** 3.5)).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
      expect(Math.abs(regularizedIncompleteBeta(x, 1, 4) - (1 - (1 - x) ** 4))).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
    }
  });

  it('is one half at x = 1/2 for a = b', () => {
    for (const shape of [0.5, 2, 40, 1000]) {
      expect(Math.abs(regularizedIncompleteBeta(0.5, shape, shape) - 0.5)).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
    }
  });

  it('equals a binomial tail for integer shapes', () => {
    // I_x(a, b) = P(X >= a) for X ~ Binomial(a + b - 1, x).
    for (const [x, a, b] of [
      [0.3, 2, 3],
      [0.4, 50, 70],
      [0.62, 17, 9],
    ] as const) {
      const expected = binomialUpperTail(a, a + b - 1, x);
      expect(Math.abs(regularizedIncompleteBeta(x, a, b) - expected)).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
    }
  });
});

describe('betaQuantile', () => {
  it('inverts the incomplete beta function', () => {
    for (const [probability, a, b] of [
      [0.025, 5, 16],
      [0.975, 6, 15],
      [0.5, 0.7, 3],
      [1e-6, 2, 2000],
    ] as const) {
      const x = betaQuantile(probability, a, b);
      expect(Math.abs(regularizedIncompleteBeta(x, a, b) - probability) / probability).toBeLessThan(1e-9);
    }
  });
});

describe('clopperPearson', () => {
  it('uses the closed form upper bound for zero failures', () => {
    // F = 0: the upper bound solves (1 - p)^K = alpha / 2, so p = 1 - (alpha / 2)^(1/K).
    const interval = clopperPearson(0, 10, 0.95);
    expect(interval.lower).toBe(0);
    expect(interval.upper).toBe(1 - 0.025 ** (1 / 10));
    expect(interval.upper).toBeCloseTo(0.3085, 4);
  });

  it('uses the closed form lower bound for all failures', () => {
    // F = K: the lower bound solves p^K = alpha / 2.
    const interval = clopperPearson(10, 10, 0.95);
    expect(interval.upper).toBe(1);
    expect(interval.lower).toBe(0.025 ** (1 / 10));
  });

  it('matches the table value for 5 of 20', () => {
    // The 95% interval for 5 of 20 is [0.0866, 0.4910] to 4 decimals (SciPy 1.17 beta.ppf gives
    // 0.086571, 0.491046). Independent check below: the lower
    // bound is the p with P(X >= 5) = 0.025 and the upper bound the p with P(X <= 5) = 0.025,
    // for X ~ Binomial(20, p), found by bisection on directly summed binomial terms.
    const interval = clopperPearson(5, 20, 0.95);
    expect(Math.abs(interval.lower - 0.0866)).toBeLessThan(TABLE_TOLERANCE);
    expect(Math.abs(interval.upper - 0.491)).toBeLessThan(TABLE_TOLERANCE);

    const lowerBySum = bisect((p) => binomialUpperTail(5, 20, p), 0.025);
    const upperBySum = bisect((p) => 1 - binomialUpperTail(6, 20, p), 0.025);
    expect(Math.abs(interval.lower - lowerBySum)).toBeLessThan(QUANTILE_CROSS_CHECK_TOLERANCE);
    expect(Math.abs(interval.upper - upperBySum)).toBeLessThan(QUANTILE_CROSS_CHECK_TOLERANCE);
  });

  it('is symmetric under swapping failures and successes', () => {
    const interval = clopperPearson(7, 31, 0.9);
    const mirrored = clopperPearson(24, 31, 0.9);
    expect(Math.abs(interval.lower - (1 - mirrored.upper))).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
    expect(Math.abs(interval.upper - (1 - mirrored.lower))).toBeLessThan(SPECIAL_FUNCTION_TOLERANCE);
  });

  it('covers the true rate at least at the confidence level', () => {
    // Exact coverage: sum the Binomial(K, p) probabilities of the F whose interval contains p.
    const trials = 40;
    const confidence = 0.95;
    const intervals = Array.from({ length: trials + 1 }, (_, failures) => clopperPearson(failures, trials, confidence));
    for (const trueRate of [0.01, 0.05, 0.13, 0.37, 0.5, 0.81]) {
      let coverage = 0;
      for (let failures = 0; failures <= trials; failures++) {
        const interval = intervals[failures]!;
        if (interval.lower <= trueRate && trueRate <= interval.upper) {
          coverage += Math.exp(
            logChoose(trials, failures) + failures * Math.log(trueRate) + (trials - failures) * Math.log1p(-trueRate),
          );
        }
      }
      expect(coverage).toBeGreaterThanOrEqual(confidence);
    }
  });

  it('handles a million trials with one failure', () => {
    // Reference values from SciPy 1.17 beta.ppf(0.025, 1, 1e6) and beta.ppf(0.975, 2, 999999).
    const interval = clopperPearson(1, 1_000_000, 0.95);
    expect(interval.lower / 2.5317807663794178e-8 - 1).toBeLessThan(1e-8);
    expect(Math.abs(interval.upper / 5.571630655166939e-6 - 1)).toBeLessThan(1e-8);
  });

  it('rejects invalid counts and confidence', () => {
    expect(() => clopperPearson(3, 2, 0.95)).toThrow(InvalidInputError);
    expect(() => clopperPearson(-1, 2, 0.95)).toThrow(InvalidInputError);
    expect(() => clopperPearson(1.5, 2, 0.95)).toThrow(InvalidInputError);
    expect(() => clopperPearson(0, 0, 0.95)).toThrow(InvalidInputError);
    expect(() => clopperPearson(1, 2, 1)).toThrow(/confidence/);
  });
});

describe('decideProbabilistic', () => {
  it('supports zero failures in 100 trials at delta 0.05', () => {
    // upper = 1 - 0.025^(1/100) = 0.0362 <= 0.05.
    const decision = decideProbabilistic(0, 100, 0.05, 0.95);
    expect(decision.verdict).toBe('supported');
    expect(decision.interval.upper).toBeLessThanOrEqual(0.05);
    expect(decision.trialsToSettle).toBeNull();
  });

  it('refutes 30 failures in 100 trials at delta 0.1', () => {
    const decision = decideProbabilistic(30, 100, 0.1, 0.95);
    expect(decision.verdict).toBe('refuted');
    expect(decision.interval.lower).toBeGreaterThan(0.1);
    expect(decision.trialsToSettle).toBeNull();
  });

  it('is inconclusive when the interval contains delta', () => {
    const decision = decideProbabilistic(2, 100, 0.05, 0.95);
    expect(decision.verdict).toBe('inconclusive');
    expect(decision.interval.lower).toBeLessThanOrEqual(0.05);
    expect(decision.interval.upper).toBeGreaterThan(0.05);
  });

  it('needs 72 trials to settle zero failures at delta 0.05', () => {
    // With F' = 0, the upper bound 1 - 0.025^(1/K') is at most 0.05 exactly when
    // K' >= ln(0.025) / ln(0.95) = 71.92, so 72 trials.
    const decision = decideProbabilistic(0, 10, 0.05, 0.95);
    expect(decision.verdict).toBe('inconclusive');
    expect(decision.trialsToSettle).toBe(72);
  });

  it('returns the smallest settling total below and above delta', () => {
    for (const [failures, trials, delta] of [
      [2, 100, 0.05],
      [8, 100, 0.05],
      [3, 17, 0.1],
      [40, 200, 0.15],
    ] as const) {
      const decision = decideProbabilistic(failures, trials, delta, 0.95);
      expect(decision.verdict).toBe('inconclusive');
      const needed = decision.trialsToSettle;
      expect(needed).not.toBeNull();
      const rate = failures / trials;
      expect(settles(Math.round(rate * needed!), needed!, delta, 0.95)).toBe(true);
      for (let smaller = trials; smaller < needed!; smaller++) {
        expect(settles(Math.round(rate * smaller), smaller, delta, 0.95)).toBe(false);
      }
    }
  });

  it('settles when applied far from the start', () => {
    // A rate of 0.0499 against delta 0.05 needs millions of trials and takes the bisection path.
    for (const [failures, trials] of [
      [49, 1000],
      [499, 10_000],
    ] as const) {
      const decision = decideProbabilistic(failures, trials, 0.05, 0.95);
      const needed = decision.trialsToSettle!;
      expect(needed).toBeGreaterThan(trials);
      const applied = decideProbabilistic(Math.round((failures / trials) * needed), needed, 0.05, 0.95);
      expect(applied.verdict).toBe('supported');
    }
  });

  it('returns null when the observed rate equals delta', () => {
    const decision = decideProbabilistic(5, 100, 0.05, 0.95);
    expect(decision.verdict).toBe('inconclusive');
    expect(decision.trialsToSettle).toBeNull();
  });

  it('rejects delta outside (0, 1)', () => {
    expect(() => decideProbabilistic(1, 10, 0, 0.95)).toThrow(InvalidInputError);
    expect(() => decideProbabilistic(1, 10, 1.2, 0.95)).toThrow(/delta/);
  });
});

describe('bootstrap', () => {
  const mean = (sample: readonly number[]): number => sample.reduce((total, value) => total + value, 0) / sample.length;

  it('is deterministic given a seed', () => {
    const data = [1, 4, 2, 8, 5, 7];
    const first = bootstrap(data, mean, { replicates: 200, confidence: 0.9, rng: createRng(7) });
    const second = bootstrap(data, mean, { replicates: 200, confidence: 0.9, rng: createRng(7) });
    expect(second).toEqual(first);
    expect(first.estimate).toBe(mean(data));
    expect(first.lower).toBeLessThanOrEqual(first.estimate);
    expect(first.upper).toBeGreaterThanOrEqual(first.estimate);
  });

  it('gives a point interval for constant data', () => {
    const interval = bootstrap([3, 3, 3], mean, { replicates: 50, confidence: 0.95, rng: createRng(1) });
    expect(interval.lower).toBe(3);
    expect(interval.upper).toBe(3);
    expect(interval.replicates).toBe(50);
  });

  it('drops degenerate replicates and counts them', () => {
    // The statistic is NaN when the resample has a single distinct value.
    const spread = (sample: readonly number[]): number => (new Set(sample).size < 2 ? Number.NaN : Math.max(...sample) - Math.min(...sample));
    const interval = bootstrap([0, 1], spread, { replicates: 400, confidence: 0.95, rng: createRng(3) });
    // Half of the resamples of two values are [0, 0] or [1, 1].
    expect(interval.discardedReplicates).toBeGreaterThan(150);
    expect(interval.discardedReplicates).toBeLessThan(250);
    expect(interval.replicates + interval.discardedReplicates!).toBe(400);
    expect(interval.lower).toBe(1);
    expect(Number.isNaN(interval.upper)).toBe(false);
  });

  it('throws when every replicate is degenerate', () => {
    // Finite on the full data only: every resample is a new array, so every replicate is NaN.
    const data = [1, 2];
    const onlyOnFullData = (sample: readonly number[]): number => (sample === data ? 1 : Number.NaN);
    expect(() => bootstrap(data, onlyOnFullData, { replicates: 10, confidence: 0.95, rng: createRng(1) })).toThrow(NumericalError);
  });

  it('rejects empty groups and bad options', () => {
    const options = { replicates: 10, confidence: 0.95, rng: createRng(1) };
    expect(() => bootstrap([], mean, options)).toThrow(InvalidInputError);
    expect(() => bootstrap([1], mean, { ...options, replicates: 0 })).toThrow(/replicates/);
    expect(() => bootstrap([1], mean, { ...options, confidence: 0 })).toThrow(/confidence/);
  });
});

describe('logLogSlope', () => {
  it('is exact on y = 3 x^-0.5', () => {
    const xs = [1, 4, 16, 100, 1e4];
    const ys = xs.map((x) => 3 * x ** -0.5);
    const fit = logLogSlope(xs, ys);
    expect(Math.abs(fit.slope + 0.5)).toBeLessThan(EXACT_FIT_TOLERANCE);
    expect(Math.abs(fit.intercept - Math.log(3))).toBeLessThan(EXACT_FIT_TOLERANCE);
    expect(Math.abs(fit.rSquared - 1)).toBeLessThan(EXACT_FIT_TOLERANCE);
  });

  it('matches a hand-computed three-point fit', () => {
    // log2 coordinates (0, 0), (1, 1), (2, 3): slope 1.5 in any log base, since both axes scale alike.
    const fit = logLogSlope([1, 2, 4], [1, 2, 8]);
    expect(Math.abs(fit.slope - 1.5)).toBeLessThan(EXACT_FIT_TOLERANCE);
    // Residuals in log2 units are 1/6, -1/3, 1/6: SS_res = 1/6, SS_tot = 14/3, r^2 = 1 - 1/28.
    expect(Math.abs(fit.rSquared - (1 - 1 / 28))).toBeLessThan(EXACT_FIT_TOLERANCE);
  });

  it('rejects non-positive values and equal x', () => {
    expect(() => logLogSlope([1, 2], [1, 0])).toThrow(/ys\[1\]/);
    expect(() => logLogSlope([-1, 2], [1, 1])).toThrow(InvalidInputError);
    expect(() => logLogSlope([2, 2], [1, 3])).toThrow(/all x values are equal/);
    expect(() => logLogSlope([2], [1])).toThrow(/at least 2 points/);
    expect(() => logLogSlope([1, 2], [1])).toThrow(InvalidInputError);
  });
});

describe('logLogSlopeOverSeeds', () => {
  const widths = [64, 128, 256, 512, 1024, 2048, 4096];

  function syntheticRows(seed: number, seeds: number, noise: number): number[][] {
    const rng = createRng(seed);
    return Array.from({ length: seeds }, () => widths.map((width) => 2 * width ** -0.5 * Math.exp(noise * rng.nextGaussian())));
  }

  it('brackets the known slope -1/2', () => {
    const rows = syntheticRows(11, 20, 0.1);
    const result = logLogSlopeOverSeeds(widths, rows, { replicates: 1000, confidence: 0.95, rng: createRng(5) });
    expect(result.lower).toBeLessThanOrEqual(-0.5);
    expect(result.upper).toBeGreaterThanOrEqual(-0.5);
    expect(result.upper - result.lower).toBeLessThan(0.1);
    expect(result.rSquared).toBeGreaterThan(0.9);
  });

  it('covers the true slope in most repetitions', () => {
    let covered = 0;
    const repetitions = 40;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const rows = syntheticRows(100 + repetition, 15, 0.2);
      const result = logLogSlopeOverSeeds(widths, rows, { replicates: 300, confidence: 0.9, rng: createRng(repetition) });
      if (result.lower <= -0.5 && -0.5 <= result.upper) covered++;
    }
    // Nominal 90%; the percentile bootstrap with 15 seeds runs somewhat below nominal, and a
    // Binomial(40, 0.85) count falls below 29 with probability about 1.2%.
    expect(covered).toBeGreaterThanOrEqual(29);
  });

  it('equals the slope through geometric means', () => {
    const rows = syntheticRows(2, 5, 0.3);
    const geometricMeans = widths.map((_, column) => Math.exp(rows.reduce((total, row) => total + Math.log(row[column]!), 0) / rows.length));
    const expected = logLogSlope(widths, geometricMeans).slope;
    const result = logLogSlopeOverSeeds(widths, rows, { replicates: 20, confidence: 0.95, rng: createRng(1) });
    expect(Math.abs(result.estimate - expected)).toBeLessThan(EXACT_FIT_TOLERANCE);
  });

  it('names the seed row and width of a bad value', () => {
    const rows = [
      [1, 2],
      [1, -2],
    ];
    expect(() => logLogSlopeOverSeeds([1, 2], rows, { replicates: 10, confidence: 0.95, rng: createRng(1) })).toThrow(/valuesBySeed\[1\]\[1\]/);
    expect(() => logLogSlopeOverSeeds([1, 2], [[1, 2]], { replicates: 10, confidence: 0.95, rng: createRng(1) })).toThrow(/at least 2 seed rows/);
    expect(() => logLogSlopeOverSeeds([1, 2], [[1, 2], [1]], { replicates: 10, confidence: 0.95, rng: createRng(1) })).toThrow(/one value per width/);
  });
});
