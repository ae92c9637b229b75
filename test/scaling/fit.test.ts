import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { runPowerLawFit } from '../../src/check/power-law.js';
import { logLogSlope } from '../../src/check/statistics.js';
import { InvalidInputError } from '../../src/errors.js';
import { parseScalingCsv } from '../../src/scaling/csv.js';
import { CONSTANT_LOSS_SPREAD, checkEstimate } from '../../src/scaling/design.js';
import { createFormModel } from '../../src/scaling/forms.js';
import { fitScalingLaw, fitScalingLawByFamily, type ScalingFitOptions, type ScalingPoint } from '../../src/scaling/fit.js';
import { createRng } from '../../src/util/rng.js';

const BUNDLED_BITNET = fileURLToPath(new URL('../../data/bitnet-b158.csv', import.meta.url));

/** Noise-free data are recovered to the optimizer's step tolerance, far below this. */
const EXACT_RECOVERY_TOLERANCE = 1e-6;

/**
 * With 17 points at quarter-decade steps from 1e6 to 1e10 and log-normal noise 1e-4, the
 * standard error of alpha is 1e-4 / sqrt(sum (ln N - mean)^2) = 1e-4 / 11.6 = 8.6e-6; 1e-4 is
 * about 12 of them.
 */
const KAPLAN_ALPHA_TOLERANCE = 1e-4;

/**
 * Relative tolerance on N_c in the same setting. ln N_c = k / alpha has a standard error of about
 * sqrt((1e-4)^2 / 17 + (13.7 * 8.6e-6)^2) / 0.076 = 1.6e-3, where 13.7 is the distance from the
 * mean ln N to ln N_c; 2% is about 13 of them.
 */
const KAPLAN_CRITICAL_SIZE_TOLERANCE = 0.02;

/**
 * Minimum share of 20 noisy data sets whose 95% interval contains the true Chinchilla parameter.
 * A well-calibrated interval falls below 16 of 20 with probability 0.3%; the percentile bootstrap
 * of a 5-parameter nonlinear fit on 36 points runs somewhat below nominal, so 80% leaves room.
 */
const MINIMUM_COVERAGE = 0.8;

/** N_c and alpha_N of Kaplan et al., "Scaling Laws for Neural Language Models" (2020), as commonly quoted. */
const KAPLAN = { criticalSize: 8.8e13, alpha: 0.076 };

/**
 * The refit of the Chinchilla data by Besiroglu et al., "Chinchilla Scaling: A Replication
 * Attempt" (2024), as quoted in secondary sources. Here they only serve as a realistic ground truth.
 */
const CHINCHILLA = { E: 1.82, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 };

function kaplanPoints(noise: number, seed: number): ScalingPoint[] {
  const rng = createRng(seed);
  return Array.from({ length: 17 }, (_, i) => {
    const N = 1e6 * 10 ** (i / 4);
    return { N, loss: (KAPLAN.criticalSize / N) ** KAPLAN.alpha * Math.exp(noise * rng.nextGaussian()) };
  });
}

function chinchillaPoints(noise: number, seed: number): ScalingPoint[] {
  const rng = createRng(seed);
  const points: ScalingPoint[] = [];
  for (const N of [1e8, 2.5e8, 6e8, 1.5e9, 4e9, 1e10]) {
    for (const D of [1e9, 3e9, 1e10, 3e10, 1e11, 3e11]) {
      const loss = CHINCHILLA.E + CHINCHILLA.A / N ** CHINCHILLA.alpha + CHINCHILLA.B / D ** CHINCHILLA.beta;
      points.push({ N, D, loss: loss * Math.exp(noise * rng.nextGaussian()) });
    }
  }
  return points;
}

const pureOptions: ScalingFitOptions = { form: 'pure', variable: 'N', bootstrapReplicates: 200, confidence: 0.95, seed: 1 };

/** Model sizes of the flat-loss cases: six doublings from 1e6. */
const DOUBLING_SIZES = [1e6, 2e6, 4e6, 8e6, 1.6e7, 3.2e7];

/** Points at DOUBLING_SIZES whose ln L changes by `logStep` per doubling, from ln 3. */
function loggedStepPoints(logStep: number): ScalingPoint[] {
  return DOUBLING_SIZES.map((N, i) => ({ N, loss: 3 * Math.exp(logStep * i) }));
}

/** Lists every number in a value, depth first, so a test can check that none is NaN or infinite. */
function collectNumbers(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(collectNumbers);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(collectNumbers);
  return [];
}

describe('fitScalingLaw', () => {
  describe('pure form', () => {
    it('recovers the Kaplan law without noise', () => {
      const fit = fitScalingLaw(kaplanPoints(0, 1), pureOptions);
      const [criticalSize, alpha] = fit.parameters;
      expect(fit.converged).toBe(true);
      expect(Math.abs(alpha!.estimate / KAPLAN.alpha - 1)).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      expect(Math.abs(criticalSize!.estimate / KAPLAN.criticalSize - 1)).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      expect(fit.rmseLog).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      expect(fit.warnings).toEqual([]);
    });

    it('recovers the Kaplan law with low noise', () => {
      const fit = fitScalingLaw(kaplanPoints(1e-4, 7), pureOptions);
      const [criticalSize, alpha] = fit.parameters;
      expect(Math.abs(alpha!.estimate - KAPLAN.alpha)).toBeLessThan(KAPLAN_ALPHA_TOLERANCE);
      expect(Math.abs(criticalSize!.estimate / KAPLAN.criticalSize - 1)).toBeLessThan(KAPLAN_CRITICAL_SIZE_TOLERANCE);
      expect(alpha!.lower!).toBeLessThanOrEqual(KAPLAN.alpha);
      expect(alpha!.upper!).toBeGreaterThanOrEqual(KAPLAN.alpha);
      expect(fit.bootstrap.converged).toBe(200);
      expect(fit.residuals).toHaveLength(17);
    });

    it('equals the log-log slope when residuals stay inside delta', () => {
      // Inside delta the Huber loss is least squares, and ln L = k - alpha ln N is a line.
      const points = kaplanPoints(1e-4, 3);
      const fit = fitScalingLaw(points, { ...pureOptions, bootstrapReplicates: 0 });
      const line = logLogSlope(
        points.map((point) => point.N!),
        points.map((point) => point.loss),
      );
      expect(Math.abs(fit.parameters[1]!.estimate + line.slope)).toBeLessThan(1e-12);
      expect(fit.parameters[1]!.lower).toBeNull();
    });
  });

  describe('offset form', () => {
    it('recovers E, A and alpha without noise', () => {
      const points = Array.from({ length: 9 }, (_, i) => {
        const N = 1e6 * 10 ** (i / 2);
        return { N, loss: 1.69 + 406.4 / N ** 0.34 };
      });
      const fit = fitScalingLaw(points, { ...pureOptions, form: 'offset' });
      const estimates = fit.parameters.map((parameter) => parameter.estimate);
      expect(fit.converged).toBe(true);
      expect(Math.abs(estimates[0]! / 1.69 - 1)).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      expect(Math.abs(estimates[1]! / 406.4 - 1)).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      expect(Math.abs(estimates[2]! / 0.34 - 1)).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
    });
  });

  describe('two-term form', () => {
    it('covers the Chinchilla parameters over 20 seeds', () => {
      const names = ['E', 'A', 'B', 'alpha', 'beta'] as const;
      const covered = Object.fromEntries(names.map((name) => [name, 0])) as Record<(typeof names)[number], number>;
      const seeds = 20;
      for (let seed = 0; seed < seeds; seed++) {
        const fit = fitScalingLaw(chinchillaPoints(0.01, 1000 + seed), {
          form: 'two-term',
          variable: 'N',
          bootstrapReplicates: 150,
          confidence: 0.95,
          seed,
        });
        expect(fit.converged).toBe(true);
        for (const parameter of fit.parameters) {
          const truth = CHINCHILLA[parameter.name as (typeof names)[number]];
          if (parameter.lower! <= truth && truth <= parameter.upper!) covered[parameter.name as (typeof names)[number]]++;
        }
      }
      const rates = names.map((name) => `${name} ${covered[name]}/${seeds}`).join(', ');
      console.log(`Chinchilla two-term, noise 1%, 95% bootstrap intervals containing the truth: ${rates}`);
      for (const name of names) {
        expect(covered[name] / seeds, `coverage of ${name}`).toBeGreaterThanOrEqual(MINIMUM_COVERAGE);
      }
    });

    it('recovers the Chinchilla parameters without noise', () => {
      const fit = fitScalingLaw(chinchillaPoints(0, 1), { form: 'two-term', variable: 'N', bootstrapReplicates: 0, confidence: 0.95, seed: 1 });
      const expected = [CHINCHILLA.E, CHINCHILLA.A, CHINCHILLA.B, CHINCHILLA.alpha, CHINCHILLA.beta];
      fit.parameters.forEach((parameter, index) => {
        expect(Math.abs(parameter.estimate / expected[index]! - 1), parameter.name).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      });
    });

    it('warns when ln N and ln D move together', () => {
      const points = [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].map((N) => {
        const D = 20 * N;
        return { N, D, loss: CHINCHILLA.E + CHINCHILLA.A / N ** CHINCHILLA.alpha + CHINCHILLA.B / D ** CHINCHILLA.beta };
      });
      const fit = fitScalingLaw(points, { form: 'two-term', variable: 'N', bootstrapReplicates: 0, confidence: 0.95, seed: 1 });
      expect(fit.warnings.some((warning) => warning.includes('almost perfectly correlated'))).toBe(true);
    });
  });

  describe('input checks', () => {
    it('rejects fewer points than parameters', () => {
      const points = [
        { N: 1, D: 1, loss: 3 },
        { N: 2, D: 5, loss: 2 },
        { N: 3, D: 9, loss: 1.5 },
      ];
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'two-term' })).toThrow(/5 parameters but only 3 points/);
    });

    it('rejects all x equal', () => {
      const points = [1, 2, 3].map((index) => ({ N: 100, loss: index }));
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(InvalidInputError);
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(/all points have the same N/);
    });

    it('rejects two-term without D varying', () => {
      const points = [1e6, 1e7, 1e8, 1e9, 1e10, 1e11].map((N) => ({ N, D: 1e9, loss: 2 + 10 / N ** 0.3 }));
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'two-term' })).toThrow(/all points have the same D/);
    });

    it('rejects an offset fit on two distinct x', () => {
      const points = [1e6, 1e6, 1e9, 1e9].map((N, i) => ({ N, loss: 2 + i * 0.01 }));
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'offset' })).toThrow(/only 2 distinct values/);
    });

    it('names a point without the fitted variable', () => {
      expect(() => fitScalingLaw([{ N: 1, loss: 2 }, { loss: 3 }], pureOptions)).toThrow(/points\[1\]\.N/);
      expect(() => fitScalingLaw([{ N: 1, loss: 2 }, { N: 2, loss: -3 }], pureOptions)).toThrow(/points\[1\]\.loss/);
    });

    it('rejects a constant loss of 3', () => {
      const points = DOUBLING_SIZES.map((N) => ({ N, loss: 3 }));
      for (const form of ['pure', 'offset'] as const) {
        expect(() => fitScalingLaw(points, { ...pureOptions, form })).toThrow(InvalidInputError);
        expect(() => fitScalingLaw(points, { ...pureOptions, form })).toThrow(
          /^fitScalingLaw points: the loss is the same at every point, 3 up to rounding \(max ln L - min ln L = 0, below 1e-12\)/,
        );
        expect(() => fitScalingLaw(points, { ...pureOptions, form })).toThrow(/check the loss or perplexity column/);
      }
    });

    it('rejects a constant loss of 1', () => {
      // ln 1 = 0, so the pure form's start would give N_c = exp(0 / 0) = NaN.
      const points = DOUBLING_SIZES.map((N) => ({ N, loss: 1 }));
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(/the loss is the same at every point, 1 up to rounding/);
    });

    it('rejects a constant loss in two-term', () => {
      const points = chinchillaPoints(0, 1).map((point) => ({ ...point, loss: 2.5 }));
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'two-term' })).toThrow(/loss changes with N and D$/);
    });

    it('rejects a loss spread below rounding', () => {
      // Five steps of the limit / 5.5 add up to a spread of 91% of the limit.
      const points = loggedStepPoints(CONSTANT_LOSS_SPREAD / 5.5);
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'offset' })).toThrow(/the loss is the same at every point, 3 up to rounding/);
    });

    it('rejects N_c overflowing when alpha is almost 0', () => {
      // ln L falls by 1e-9 per doubling, so alpha = 1e-9 / ln 2 and ln N_c = ln 3 / alpha, about 7.6e8.
      const points = loggedStepPoints(-1e-9);
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(InvalidInputError);
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(/the fitted N_c is Infinity because ln N_c = k \/ alpha = 7\.615\d+e\+8/);
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(/check the loss and N columns/);
    });

    it('rejects N_c underflowing to 0', () => {
      // ln L rises by 1e-9 per doubling, so alpha < 0 and ln N_c is about -7.6e8.
      const points = loggedStepPoints(1e-9);
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(/the fitted N_c is 0 because ln N_c = k \/ alpha = -7\.615\d+e\+8/);
    });

    it('rejects N_c overflowing for huge N', () => {
      // A loss of 3 at N = 1e300 with alpha about 0.05 puts N_c near 1e300 * 3^20, beyond 1.8e308.
      const points = [1e300, 2e300, 4e300, 8e300, 1.6e301, 3.2e301].map((N, i) => ({ N, loss: 3 - 0.1 * i }));
      expect(() => fitScalingLaw(points, pureOptions)).toThrow(/the fitted N_c is Infinity because ln N_c = k \/ alpha = 71\d\.\d+ lies outside the range of a double/);
    });

    it('rejects an offset coefficient that overflows', () => {
      // L = A / N^alpha with L near 1e308 at N near 1e300 needs A far beyond 1.8e308.
      const points = [1e300, 2e300, 4e300, 8e300, 1.6e301, 3.2e301].map((N, i) => ({ N, loss: 1e308 / 2 ** i }));
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'offset' })).toThrow(/^fitScalingLaw points: the fitted A is Infinity, outside the range of a double; give N in larger units/);
    });

    it('rejects invalid options', () => {
      const points = kaplanPoints(0, 1);
      expect(() => fitScalingLaw(points, { ...pureOptions, bootstrapReplicates: -1 })).toThrow(/bootstrapReplicates/);
      expect(() => fitScalingLaw(points, { ...pureOptions, confidence: 1 })).toThrow(/confidence/);
      expect(() => fitScalingLaw(points, { ...pureOptions, form: 'cubic' as 'pure' })).toThrow(/unknown form/);
      expect(() => fitScalingLaw(points, { ...pureOptions, variable: 'M' as 'N' })).toThrow(/unknown variable/);
      expect(() => fitScalingLaw(points, { ...pureOptions, huberDelta: 0 })).toThrow(/huberDelta/);
    });
  });

  describe('degenerate data', () => {
    it('warns about a loss that grows with N', () => {
      const points = DOUBLING_SIZES.map((N, i) => ({ N, loss: 2 + 0.2 * i }));
      for (const form of ['pure', 'offset'] as const) {
        const fit = fitScalingLaw(points, { ...pureOptions, form });
        const alpha = fit.parameters.find((parameter) => parameter.name === 'alpha')!;
        expect(alpha.estimate).toBeLessThan(0);
        expect(fit.warnings.some((warning) => /^alpha = -0\.11\d+ is negative, so the fitted loss grows with N/.test(warning))).toBe(true);
      }
    });

    it('warns about beta below 0', () => {
      // The data term B / D^beta with B = 0.01 and beta = -0.1 adds 0.08 to 0.14 that grows with D.
      const points = chinchillaPoints(0, 1).map((point) => ({
        ...point,
        loss: CHINCHILLA.E + CHINCHILLA.A / point.N! ** CHINCHILLA.alpha + 0.01 * point.D! ** 0.1,
      }));
      const fit = fitScalingLaw(points, { form: 'two-term', variable: 'N', bootstrapReplicates: 0, confidence: 0.95, seed: 1 });
      const beta = fit.parameters.find((parameter) => parameter.name === 'beta')!;
      expect(Math.abs(beta.estimate + 0.1)).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
      expect(fit.warnings.some((warning) => warning.startsWith('beta = -0.100000 is negative, so the fitted loss grows with D'))).toBe(true);
      expect(fit.warnings.some((warning) => warning.startsWith('alpha'))).toBe(false);
    });

    it('warns about a loss spread near single-precision rounding', () => {
      // The spread is 5 * 1e-8 = 5e-8, below the warning limit of 1e-6 but above the rejection limit.
      const fit = fitScalingLaw(loggedStepPoints(-1e-8), { ...pureOptions, form: 'offset' });
      expect(fit.warnings.some((warning) => warning.startsWith('the loss changes by only 5.00000e-8 in ln L'))).toBe(true);
    });

    it('keeps every number finite for degenerate inputs', () => {
      const cases: { name: string; points: ScalingPoint[] }[] = [
        { name: 'two distinct N', points: [1e6, 1e6, 1e9, 1e9].map((N, i) => ({ N, loss: 3 - 0.5 * Math.floor(i / 2) + 0.01 * i })) },
        { name: 'rising loss', points: DOUBLING_SIZES.map((N, i) => ({ N, loss: 2 + 0.2 * i })) },
        { name: 'loss near 1e300', points: DOUBLING_SIZES.map((N, i) => ({ N, loss: 1e300 / 2 ** i })) },
        { name: 'loss near 1e-300', points: DOUBLING_SIZES.map((N, i) => ({ N, loss: 1e-300 / 2 ** i })) },
        { name: 'N near 1e-300', points: DOUBLING_SIZES.map((N, i) => ({ N: N * 1e-306, loss: 3 - 0.1 * i })) },
        { name: 'spread 1e-11', points: loggedStepPoints(-2e-12) },
      ];
      for (const { name, points } of cases) {
        for (const form of ['pure', 'offset'] as const) {
          let fit;
          try {
            fit = fitScalingLaw(points, { ...pureOptions, form });
          } catch (error) {
            expect(error, `${name}, ${form}`).toBeInstanceOf(InvalidInputError);
            continue;
          }
          const numbers = collectNumbers(fit);
          expect(numbers.filter((value) => !Number.isFinite(value)), `${name}, ${form}`).toEqual([]);
        }
      }
    });

    it('fits the pure form on two distinct N', () => {
      // Residuals of 5e-4 stay inside the Huber delta, so the fit is the least-squares line through
      // the mean ln L at each size, and alpha = ln(3 / 2) / ln(1000).
      const points = [1e6, 1e6, 1e9, 1e9].map((N, i) => ({ N, loss: [3, 3, 2, 2][i]! * Math.exp([5e-4, -5e-4][i % 2]!) }));
      const fit = fitScalingLaw(points, pureOptions);
      expect(Math.abs(fit.parameters[1]!.estimate - Math.log(1.5) / Math.log(1000))).toBeLessThan(EXACT_RECOVERY_TOLERANCE);
    });

    it('checks the residuals of an estimate', () => {
      const model = createFormModel('offset', 'N');
      const minimum = { parameters: Float64Array.of(0, 0, 0.3), residuals: Float64Array.of(0.1, Number.NaN, 0.2), objective: Number.POSITIVE_INFINITY, converged: false, iterations: 0 };
      expect(checkEstimate(model, minimum, ['N'])).toMatch(/^the offset form gives no finite prediction of ln L/);
      expect(checkEstimate(model, { ...minimum, residuals: Float64Array.of(0.1, 0, 0.2) }, ['N'])).toBeNull();
    });

    it('checks the offset parameters of an estimate', () => {
      const model = createFormModel('offset', 'N');
      // ln A = 710 exceeds ln(1.8e308) = 709.78, so A is Infinity.
      const minimum = { parameters: Float64Array.of(0, 710, 0.3), residuals: Float64Array.of(0, 0, 0), objective: 0, converged: true, iterations: 1 };
      expect(checkEstimate(model, minimum, ['N'])).toMatch(/^the fitted A is Infinity/);
    });

    it('reports a constant loss as a check warning', () => {
      const summary = runPowerLawFit({
        of: 'loss',
        points: DOUBLING_SIZES.map((N) => ({ N, loss: 3 })),
        settings: { ...pureOptions, form: 'offset', bootstrapReplicates: 0 },
      });
      expect(summary.parameters).toEqual([]);
      expect(summary.warnings).toHaveLength(1);
      expect(summary.warnings[0]).toMatch(/the loss is the same at every point/);
    });

    it('counts resamples with a constant loss as unidentifiable', () => {
      // Two of the three points share the loss 3. A resample fails to identify the law when it
      // draws one distinct N (3 / 27) or both loss-3 points and not the third (6 / 27), so the
      // expected count over 900 replicates is 300, with standard deviation 14.
      const points = [1e6, 1e7, 1e8].map((N, i) => ({ N, loss: [3, 3, 2.5][i]! }));
      const fit = fitScalingLaw(points, { ...pureOptions, bootstrapReplicates: 900 });
      expect(fit.bootstrap.unidentifiable).toBeGreaterThan(240);
      expect(fit.bootstrap.unidentifiable).toBeLessThan(360);
      expect(fit.warnings.some((warning) => warning.includes('too few distinct x values or a constant loss'))).toBe(true);
    });
  });

  describe('warnings and intervals', () => {
    it('warns about few points and a short range', () => {
      const points = [1e6, 2e6, 4e6].map((N) => ({ N, loss: (1e9 / N) ** 0.1 }));
      const fit = fitScalingLaw(points, pureOptions);
      expect(fit.warnings.some((warning) => warning.includes('fewer than 2 points per parameter'))).toBe(true);
      expect(fit.warnings.some((warning) => warning.includes('less than a decade'))).toBe(true);
      expect(fit.warnings.some((warning) => warning.includes('resamples only 3 points'))).toBe(true);
    });

    it('reports no interval for an interpolating fit', () => {
      const points = [1e6, 1e7, 1e8].map((N) => ({ N, loss: 1.5 + 30 / N ** 0.2 }));
      const fit = fitScalingLaw(points, { ...pureOptions, form: 'offset' });
      expect(fit.parameters.every((parameter) => parameter.lower === null && parameter.upper === null)).toBe(true);
      expect(fit.bootstrap.requested).toBe(0);
      expect(fit.warnings.some((warning) => warning.includes('passes through every point'))).toBe(true);
      expect(fit.warnings.some((warning) => warning.startsWith('no intervals'))).toBe(true);
    });

    it('counts unidentifiable replicates', () => {
      // Resampling 3 points draws a single distinct N with probability 3 / 27.
      const points = [1e6, 1e7, 1e8].map((N, i) => ({ N, loss: (1e9 / N) ** 0.1 * (1 + 0.001 * i) }));
      const fit = fitScalingLaw(points, { ...pureOptions, bootstrapReplicates: 900 });
      expect(fit.bootstrap.unidentifiable).toBeGreaterThan(60);
      expect(fit.bootstrap.unidentifiable).toBeLessThan(140);
      expect(fit.bootstrap.converged + fit.bootstrap.unidentifiable + fit.bootstrap.failed).toBe(900);
      expect(fit.warnings.some((warning) => warning.includes('bootstrap replicates were left out'))).toBe(true);
    });

    it('withholds intervals when too few replicates are usable', () => {
      // At 95% a percentile interval needs 2 / 0.05 = 40 replicates.
      const fit = fitScalingLaw(kaplanPoints(1e-3, 2), { ...pureOptions, bootstrapReplicates: 39 });
      expect(fit.parameters[1]!.lower).toBeNull();
      expect(fit.warnings.some((warning) => warning.includes('fewer than the 40'))).toBe(true);
    });

    it('resamples seeds when points carry them', () => {
      const points = [0, 1, 2, 3].flatMap((seed) => kaplanPoints(1e-3, seed).map((point) => ({ ...point, seed })));
      const fit = fitScalingLaw(points, pureOptions);
      expect(fit.bootstrap.resampled).toBe('seeds');
      expect(fit.bootstrap.groups).toBe(4);
      expect(fit.pointCount).toBe(68);
    });

    it('resamples points when only one seed exists', () => {
      const points = kaplanPoints(1e-3, 1).map((point) => ({ ...point, seed: 'only' }));
      const fit = fitScalingLaw(points, pureOptions);
      expect(fit.bootstrap.resampled).toBe('points');
      expect(fit.warnings.some((warning) => warning.includes('same seed'))).toBe(true);
    });

    it('is deterministic given the seed', () => {
      const points = kaplanPoints(1e-3, 5);
      const first = fitScalingLaw(points, pureOptions);
      const second = fitScalingLaw(points, pureOptions);
      const other = fitScalingLaw(points, { ...pureOptions, seed: 2 });
      expect(second).toEqual(first);
      expect(other.parameters[1]!.estimate).toBe(first.parameters[1]!.estimate);
      expect(other.parameters[1]!.lower).not.toBe(first.parameters[1]!.lower);
    });
  });
});

describe('fitScalingLawByFamily', () => {
  it('fits each family of the bundled BitNet table', () => {
    const points = parseScalingCsv(fs.readFileSync(BUNDLED_BITNET, 'utf8'), 'bitnet-b158.csv');
    const fits = fitScalingLawByFamily(points, { ...pureOptions, bootstrapReplicates: 300 });
    expect(fits.map((entry) => entry.family)).toEqual(['llama', 'bitnet-b1.58']);
    for (const { fit } of fits) {
      expect(fit.converged).toBe(true);
      expect(fit.parameters[1]!.estimate).toBeGreaterThan(0);
      expect(fit.warnings.some((warning) => warning.includes('less than a decade'))).toBe(true);
    }
    expect(fits[0]!.fit.pointCount).toBe(3);
    expect(fits[1]!.fit.pointCount).toBe(4);
  });

  it('names the family of invalid points', () => {
    const points = [
      { N: 1e6, loss: 3, family: 'good' },
      { N: 1e7, loss: 2.5, family: 'good' },
      { N: 1e6, loss: 3, family: 'flat' },
      { N: 1e6, loss: 2.9, family: 'flat' },
    ];
    expect(() => fitScalingLawByFamily(points, pureOptions)).toThrow(/family flat: fitScalingLaw points: all points have the same N/);
  });

  it('groups points without a family as all', () => {
    const fits = fitScalingLawByFamily(kaplanPoints(0, 1), { ...pureOptions, bootstrapReplicates: 0 });
    expect(fits.map((entry) => entry.family)).toEqual(['all']);
  });
});
