import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Claim } from '../../src/claims/claim.js';
import { claimFromDefinition } from '../../src/claims/claim-file.js';
import { evaluateStatement, parseStatement } from '../../src/claims/expression.js';
import { MEASURED_SYMBOLS } from '../../src/claims/symbols.js';
import {
  InstanceMeasurer,
  LOG_GRID_STEPS,
  evaluateInstance,
  instanceArbitrary,
  instanceDatasetSpec,
  logSpacedWidths,
  logUniformArbitrary,
  referenceInstance,
  runClaimProperty,
  type BoundReplayResult,
  type BoundSearchResult,
  type BoundTrialsResult,
  type InstanceSpace,
} from '../../src/check/property.js';
import { clopperPearson } from '../../src/check/statistics.js';
import { InvalidInputError } from '../../src/errors.js';

/** A small synthetic space: initialization cells cost about a millisecond, training cells a few. */
const SPACE: InstanceSpace = {
  width: { min: 8, max: 256 },
  seed: { min: 0, max: 999 },
  dataset: { kind: 'synthetic', target: 'sine', size: { min: 12, max: 24 }, dimension: { min: 4, max: 6 }, seed: 0, noise: 0 },
  kappa: { min: 1, max: 1 },
  eta: null,
  steps: 8,
  quantizer: 'sign',
};

/**
 * Sampled fraction of log-uniform draws below the geometric mean of the range, expected 1/2.
 * With 4000 draws its standard deviation is sqrt(0.25 / 4000) = 0.0079; five of them (0.04)
 * make a false failure practically impossible for a fixed seed, yet a uniform draw on
 * [8, 8192] (fraction 0.011) fails by far.
 */
const FRACTION_TOLERANCE = 0.04;

function claimOf(definition: Record<string, unknown>): Claim {
  return claimFromDefinition({ id: 'test', title: 'test', ...definition }, { name: 'test' }).claim;
}

describe('logUniformArbitrary', () => {
  it('stays in range and reaches both ends', () => {
    const range = { min: 8, max: 8192 };
    const values = fc.sample(logUniformArbitrary(range, true), { seed: 1, numRuns: 4000 });
    for (const value of values) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(8);
      expect(value).toBeLessThanOrEqual(8192);
    }
    // fast-check's bias draws the ends of an integer range often.
    expect(values).toContain(8);
    expect(values).toContain(8192);
  });

  it('draws log-uniformly', () => {
    const range = { min: 8, max: 8192 };
    const geometricMean = Math.sqrt(8 * 8192);
    const values = fc.sample(fc.noBias(logUniformArbitrary(range, false)), { seed: 2, numRuns: 4000 });
    const below = values.filter((value) => value < geometricMean).length / values.length;
    expect(Math.abs(below - 0.5)).toBeLessThan(FRACTION_TOLERANCE);
  });

  it('shrinks to the lower end', () => {
    const details = fc.check(fc.property(logUniformArbitrary({ min: 16, max: 4096 }, true), () => false), { seed: 3 });
    expect(details.counterexample).toEqual([16]);
  });

  it('returns the constant of a fixed range', () => {
    expect(fc.sample(logUniformArbitrary({ min: 5, max: 5 }, true), { seed: 4, numRuns: 5 })).toEqual([5, 5, 5, 5, 5]);
  });

  it('rejects a non-positive range', () => {
    expect(() => logUniformArbitrary({ min: 0, max: 4 }, true)).toThrow(InvalidInputError);
    expect(() => logUniformArbitrary({ min: 4, max: 2 }, true)).toThrow(InvalidInputError);
  });

  it('uses a grid fine enough for widths', () => {
    // Adjacent grid values differ by the factor (max / min)^(1 / LOG_GRID_STEPS); for the
    // largest width range 2^24 that is 2^(24 / 65536), about 1.00025.
    expect(2 ** (24 / LOG_GRID_STEPS)).toBeLessThan(1.0003);
  });
});

describe('instanceArbitrary', () => {
  it('draws every field inside its range', () => {
    for (const instance of fc.sample(instanceArbitrary(SPACE), { seed: 5, numRuns: 200 })) {
      expect(instance.width).toBeGreaterThanOrEqual(8);
      expect(instance.width).toBeLessThanOrEqual(256);
      expect(instance.size).toBeGreaterThanOrEqual(12);
      expect(instance.size).toBeLessThanOrEqual(24);
      expect(instance.dimension).toBeGreaterThanOrEqual(4);
      expect(instance.dimension).toBeLessThanOrEqual(6);
      expect(instance.kappa).toBe(1);
    }
  });

  it('leaves size and dimension null for fixed data', () => {
    const fixed: InstanceSpace = { ...SPACE, dataset: { kind: 'fixed', spec: 'iris' } };
    const [instance] = fc.sample(instanceArbitrary(fixed), { seed: 6, numRuns: 1 });
    expect(instance.size).toBeNull();
    expect(instance.dimension).toBeNull();
    expect(instanceDatasetSpec(fixed, instance)).toBe('iris');
  });

  it('names the synthetic data of an instance', () => {
    expect(instanceDatasetSpec(SPACE, referenceInstance(SPACE))).toBe('synthetic:sine:d=4:n=12:seed=0:noise=0');
    expect(referenceInstance(SPACE)).toEqual({ width: 8, seed: 0, size: 12, dimension: 4, kappa: 1 });
  });
});

describe('logSpacedWidths', () => {
  it('spaces widths geometrically', () => {
    expect(logSpacedWidths({ min: 16, max: 1024 }, 4)).toEqual([16, 64, 256, 1024]);
    expect(logSpacedWidths({ min: 64, max: 4096 }, 3)).toEqual([64, 512, 4096]);
    expect(logSpacedWidths({ min: 3, max: 4 }, 5)).toEqual([3, 4]);
  });
});

/** Measures one training instance and evaluates `expression` on it, and on each of its steps directly. */
function evaluateStepStatement(expression: string): { outcome: ReturnType<typeof evaluateInstance>; perStep: ReturnType<typeof evaluateStatement>[] } {
  const claim = claimOf({ statement: expression });
  const measurer = new InstanceMeasurer(SPACE, 0.95);
  const instance = { width: 16, seed: 1, size: 12, dimension: 4, kappa: 1 };
  const { context, cell } = measurer.measure(instance, 'training');
  const outcome = evaluateInstance(claim, SPACE, instance, context, cell, 0.95);
  const parsed = parseStatement(expression, MEASURED_SYMBOLS.map((symbol) => symbol.name));
  const perStep = cell.timeline.map((entry) => evaluateStatement(parsed, { ...context.runSymbols, ...cell.values, ...entry }));
  expect(perStep).toHaveLength(SPACE.steps + 1);
  return { outcome, perStep };
}

describe('evaluateInstance', () => {
  it('agrees with evaluateStatement on a cell statement', () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= kappa^2 / sqrt(m)' });
    const measurer = new InstanceMeasurer(SPACE, 0.95);
    const instance = { width: 32, seed: 4, size: 16, dimension: 5, kappa: 1 };
    const { context, cell } = measurer.measure(instance, 'initialization');
    const outcome = evaluateInstance(claim, SPACE, instance, context, cell, 0.95);

    const parsed = parseStatement('dev_max_H0 <= kappa^2 / sqrt(m)', MEASURED_SYMBOLS.map((symbol) => symbol.name));
    const direct = evaluateStatement(parsed, { ...context.runSymbols, ...cell.values });
    expect(outcome.status).toBe(direct.holds ? 'holds' : 'fails');
    expect(outcome.margin).toBe(direct.margin);
    expect(outcome.statements[0].margin).toBe(direct.margin);
    expect(outcome.dataset).toBe('synthetic:sine:d=5:n=16:seed=0:noise=0');
  });

  it('holds a step statement when every step holds', () => {
    // Gradient descent with eta = 1 / lambda_max(Hstar) shrinks the residual far faster than
    // 0.1 % per step on this instance. The engine's margin is that of the step with the
    // smallest looseness; the step t = 0, where both sides are equal, sets no looseness.
    const { outcome, perStep } = evaluateStepStatement('residual_sq_fp <= residual_sq_fp_0 * 0.999^t');
    expect(perStep.every((step) => step.holds)).toBe(true);
    const informative = perStep.filter((step) => step.lhs !== step.rhs && step.looseness !== null);
    const tightest = informative.reduce((best, step) => (step.looseness! < best.looseness! ? step : best));
    expect(outcome.status).toBe('holds');
    expect(outcome.looseness).toBe(tightest.looseness);
    expect(outcome.margin).toBe(tightest.margin);
  });

  it('fails a step statement when one step fails', () => {
    // A hundredfold decrease per step is more than training achieves from step 1 on; the
    // failing step with the smallest margin is reported.
    const { outcome, perStep } = evaluateStepStatement('residual_sq_fp <= residual_sq_fp_0 * 0.01^t');
    const failing = perStep.filter((step) => !step.holds);
    expect(perStep[0].holds).toBe(true);
    expect(failing.length).toBeGreaterThan(0);
    expect(outcome.status).toBe('fails');
    expect(outcome.margin).toBe(Math.min(...failing.map((step) => step.margin)));
    expect(outcome.statements[0].step).not.toBeNull();
  });

  it('sets aside an instance outside the hypothesis', () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 0', hypotheses: ['m >= 100000'] });
    const measurer = new InstanceMeasurer(SPACE, 0.95);
    const instance = referenceInstance(SPACE);
    const { context, cell } = measurer.measure(instance, 'initialization');
    expect(evaluateInstance(claim, SPACE, instance, context, cell, 0.95).status).toBe('outside-hypothesis');
  });
});

describe('runClaimProperty', () => {
  it('shrinks a counterexample and replays it exactly', async () => {
    // dev_max_H0 > 0 at every finite width, so every instance fails and fast-check shrinks
    // each field to the lower end of its range.
    const claim = claimOf({ statement: 'dev_max_H0 <= 0' });
    const result = await runClaimProperty(claim, SPACE, { seed: 11, runs: 20 });
    expect(result.verdict).toBe('violated');
    const search = result.bounds as BoundSearchResult;
    expect(search.kind).toBe('search');
    expect(search.runs).toBe(1);
    const counterexample = search.counterexample!;
    expect(counterexample.outcome.instance).toEqual({ width: 8, seed: 0, size: 12, dimension: 4, kappa: 1 });
    expect(counterexample.shrinks).toBeGreaterThan(0);

    const replayed = await runClaimProperty(claim, SPACE, { seed: 99, replay: counterexample.replay });
    const replay = replayed.bounds as BoundReplayResult;
    expect(replay.kind).toBe('replay');
    expect(replay.verdict).toBe('violated');
    expect(replay.outcome.instance).toEqual(counterexample.outcome.instance);
    expect(replay.outcome.statements[0].lhs).toBe(counterexample.outcome.statements[0].lhs);
    expect(replay.outcome.statements[0].rhs).toBe(counterexample.outcome.statements[0].rhs);
    expect(replay.outcome.statements[0].margin).toBe(counterexample.outcome.statements[0].margin);
  });

  it('reports the evidence when a claim holds', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 2 * kappa^2' });
    const result = await runClaimProperty(claim, SPACE, { seed: 12, runs: 30 });
    const search = result.bounds as BoundSearchResult;
    expect(result.verdict).toBe('holds');
    expect(search.runs).toBe(30);
    expect(search.counts.failures).toBe(0);
    expect(search.counts.evaluated).toBe(search.distinctInstances);
    expect(search.distinctInstances).toBeLessThanOrEqual(30);
    // The margin is 2 - dev_max_H0, so the worst margin belongs to the largest deviation.
    const worst = search.worstMargin!;
    expect(worst.value).toBe(worst.outcome.margin);
    expect(worst.value).toBeGreaterThan(0);
    expect(worst.value).toBeLessThan(2);
    expect(search.tightestLooseness!.value).toBeGreaterThan(1);
  });

  it('finds a deterministic failure that needs a large width', async () => {
    // lambda_min_H0 >= lambda_H / 2 fails at small widths only; the shrunk instance is the
    // smallest failing one fast-check can reach, and it must fail when replayed.
    const claim = claimOf({ statement: 'lambda_min_H0 >= lambda_H / 2' });
    const result = await runClaimProperty(claim, SPACE, { seed: 13, runs: 40 });
    const search = result.bounds as BoundSearchResult;
    expect(result.verdict).toBe('violated');
    expect(search.counterexample!.outcome.statements[0].margin).toBeLessThan(0);
    const replay = (await runClaimProperty(claim, SPACE, { seed: 0, replay: search.counterexample!.replay })).bounds as BoundReplayResult;
    expect(replay.outcome.statements[0].margin).toBe(search.counterexample!.outcome.statements[0].margin);
  });

  it('says outside-hypothesis when no instance qualifies', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 0', hypotheses: ['m >= 100000'] });
    const result = await runClaimProperty(claim, SPACE, { seed: 14, runs: 10 });
    expect(result.verdict).toBe('outside-hypothesis');
    expect((result.bounds as BoundSearchResult).counts.outsideHypothesis).toBeGreaterThan(0);
  });

  it('supports a true bound after the trials a Bonferroni look needs', async () => {
    // Entries of H(0) and Hstar lie in [-kappa^2, kappa^2], so no trial can fail.
    const claim = claimOf({ statement: 'dev_max_H0 <= 2 * kappa^2', delta: 0.1 });
    const result = await runClaimProperty(claim, SPACE, { seed: 15, maxTrials: 200, batchSize: 20 });
    const trials = result.bounds as BoundTrialsResult;
    expect(result.verdict).toBe('supported');
    // 10 looks at overall confidence 0.95: each look has alpha / 2 = 0.0025 per tail. With no
    // failure the upper bound is 1 - 0.0025^(1/K) <= 0.1 from K >= ln(0.0025) / ln(0.9) = 56.9,
    // so the third batch (60 trials) settles it.
    expect(trials.looksPlanned).toBe(10);
    expect(trials.confidencePerLook).toBeCloseTo(0.995, 12);
    expect(trials.trials).toBe(60);
    expect(trials.batches).toBe(3);
    expect(trials.stopReason).toBe('settled');
    expect(trials.interval!.upper).toBeCloseTo(1 - 0.0025 ** (1 / 60), 10);
    expect(clopperPearson(0, 40, 0.995).upper).toBeGreaterThan(0.1);
  });

  it('refutes a failing bound after one batch', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 0', delta: 0.1 });
    const result = await runClaimProperty(claim, SPACE, { seed: 16, batchSize: 10 });
    const trials = result.bounds as BoundTrialsResult;
    expect(result.verdict).toBe('refuted');
    expect(trials.trials).toBe(10);
    expect(trials.failures).toBe(10);
    expect(trials.failure).not.toBeNull();

    const replay = (await runClaimProperty(claim, SPACE, { seed: 0, replay: trials.failure!.replay })).bounds as BoundReplayResult;
    expect(replay.outcome.instance).toEqual(trials.failure!.outcome.instance);
    expect(replay.outcome.statements[0].margin).toBe(trials.failure!.outcome.statements[0].margin);
  });

  it('stays inconclusive when the budget runs out', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 2', delta: 0.1 });
    const result = await runClaimProperty(claim, SPACE, { seed: 17, maxTrials: 30, batchSize: 10 });
    const trials = result.bounds as BoundTrialsResult;
    expect(result.verdict).toBe('inconclusive');
    expect(trials.stopReason).toBe('budget');
    expect(trials.trials).toBe(30);
    expect(trials.trialsToSettle).not.toBeNull();
  });

  it('stops when the space has no new instances', async () => {
    const small: InstanceSpace = { ...SPACE, width: { min: 16, max: 16 }, seed: { min: 0, max: 4 }, dataset: { ...SPACE.dataset, size: { min: 12, max: 12 }, dimension: { min: 4, max: 4 } } as InstanceSpace['dataset'] };
    const claim = claimOf({ statement: 'dev_max_H0 <= 2', delta: 0.1 });
    const trials = (await runClaimProperty(claim, small, { seed: 18, maxTrials: 50 })).bounds as BoundTrialsResult;
    expect(trials.stopReason).toBe('space-exhausted');
    expect(trials.trials).toBe(5);
  });

  it('fits rate statements on a grid', async () => {
    const claim = claimOf({ statement: [{ exponent: 'slope_dev', target: -0.5 }], exponents: [{ symbol: 'slope_dev', of: 'dev_max_H0' }] });
    const result = await runClaimProperty(claim, { ...SPACE, width: { min: 16, max: 4096 } }, { seed: 19, gridWidths: 3, gridSeeds: 4, bootstrapReplicates: 200 });
    expect(result.bounds).toBeNull();
    expect(result.rates!.widths).toEqual([16, 256, 4096]);
    expect(result.rates!.seeds).toEqual([0, 1, 2, 3]);
    expect(result.rates!.dataset).toBe('synthetic:sine:d=4:n=12:seed=0:noise=0');
    const exponent = result.rates!.exponents[0];
    expect(exponent.symbol).toBe('slope_dev');
    // Hoeffding concentration: the max entry deviation falls like m^(-1/2).
    expect(exponent.estimate).toBeLessThan(-0.3);
    expect(exponent.estimate).toBeGreaterThan(-0.7);
    expect(result.verdict).toBe(result.rates!.statements[0].verdict);
  });

  it('rejects an invalid quantizer before searching', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 2' });
    await expect(runClaimProperty(claim, { ...SPACE, quantizer: 'two-bit' }, { seed: 0 })).rejects.toThrow(InvalidInputError);
  });

  it('rejects a malformed replay path', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 2' });
    await expect(runClaimProperty(claim, SPACE, { seed: 0, replay: { seed: 0, path: 'a:b' } })).rejects.toThrow(/colon-separated/);
  });

  it('rejects invalid budgets', async () => {
    const claim = claimOf({ statement: 'dev_max_H0 <= 2' });
    await expect(runClaimProperty(claim, SPACE, { seed: 0, runs: 0 })).rejects.toThrow(/--runs/);
    await expect(runClaimProperty(claim, SPACE, { seed: -1 })).rejects.toThrow(/--seed/);
  });
});
