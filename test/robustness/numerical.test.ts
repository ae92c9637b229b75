/**
 * Numerical edge cases: nearly parallel inputs (near-singular kernels), divergent training,
 * and bounds that overflow. None of them may put NaN in a report or a table, and each must
 * be reported with the numbers that explain it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelInitConcentration, kernelStabilityFp } from '../../proofs/index.js';
import type { Claim } from '../../src/claims/claim.js';
import { evaluateStatement, parseStatement } from '../../src/claims/expression.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions, type CheckOptions } from '../../src/check/options.js';
import { prepareRun } from '../../src/check/run-context.js';
import { runCheck } from '../../src/check/runner.js';
import type { Dataset } from '../../src/data/dataset.js';
import { InvalidInputError } from '../../src/errors.js';
import { buildReport, serializeReport } from '../../src/report/report.js';
import { renderVerdictTable } from '../../src/report/table.js';
import { makeTemporaryDirectory, runCli } from '../cli/spawn.js';

/** A grid small enough to run in a second. */
const TINY: CheckOptions = validateCheckOptions({
  ...DEFAULT_CHECK_OPTIONS,
  dataset: 'synthetic:linear:d=3:n=12',
  widths: [8, 16],
  seeds: 2,
  initSeeds: 2,
  steps: 5,
  bootstrapReplicates: 100,
});

/** Unit vector in the plane of the first two coordinates at `angle` radians, padded to d = 3. */
function planeVector(angle: number): number[] {
  return [Math.cos(angle), Math.sin(angle), 0];
}

/** Builds a data set of unit rows for `prepareRun` directly, so no loader check intervenes. */
function datasetOf(rows: number[][], name: string): Dataset {
  const normalized = rows.map((row) => {
    const norm = Math.hypot(...row);
    return row.map((value) => value / norm);
  });
  return {
    name,
    size: rows.length,
    dimension: rows[0].length,
    inputs: Float64Array.from(normalized.flat()),
    targets: Float64Array.from(rows.map((_, index) => (index % 2 === 0 ? 0.5 : -0.5))),
    source: 'test rows',
    cleaning: [],
  };
}

/** Two pairs of rows at `angle` from each other, plus one row off the plane: one pair stays in training whatever row is held out. */
function nearlyParallelRows(angle: number): number[][] {
  return [planeVector(0), planeVector(angle), planeVector(1), planeVector(1 + angle), [0.3, 0.2, 0.9]];
}

/** Collects the paths of every null in a JSON value, with array indices replaced by []. */
function nullPaths(value: unknown, at = ''): string[] {
  if (value === null) return [at];
  if (Array.isArray(value)) return value.flatMap((entry) => nullPaths(entry, `${at}[]`));
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).flatMap(([key, entry]) => nullPaths(entry, `${at}.${key}`));
  return [];
}

/**
 * Report fields documented as nullable: unset options, a condition number of a near-singular
 * kernel, ratios and widths that do not exist, a claim without delta, a fit that did not run.
 */
const DOCUMENTED_NULLS = new Set([
  '.options.dataSize',
  '.options.eta',
  '.options.activationBits',
  '.run.limitFp.conditionNumber',
  '.run.limitOneBit.conditionNumber',
  '.claims[].delta',
  '.claims[].looseness',
  '.claims[].smallestPassingWidth',
  '.claims[].statements[].looseness',
  '.claims[].statements[].holdsFromWidth',
  '.claims[].statements[].trialsToSettle',
  '.claims[].statements[].counterexample.step',
  '.claims[].hypotheses[].threshold',
  // NOTE: rmseLog is typed as a number; a failed power-law fit stores NaN, which the report writes as null.
  '.claims[].sweeps[].fits[].rmseLog',
  '.claims[].sweeps[].fits[].parameters[].lower',
  '.claims[].sweeps[].fits[].parameters[].upper',
  '.cells[].divergence',
]);

describe('near-singular kernels', () => {
  it('reports lambda_min and the condition number of an ill-conditioned Hstar', () => {
    // Rows 1e-7 apart: Hstar's 2 x 2 block has lambda_min about 1e-7 / (2 pi), far above the near-singular threshold.
    const context = prepareRun(datasetOf(nearlyParallelRows(1e-7), 'angle-1e-7'), TINY);
    const spectrum = context.limitSpectrumFp;
    expect(spectrum.nearSingular).toBe(false);
    expect(spectrum.lambdaMin).toBeGreaterThan(0);
    expect(spectrum.lambdaMin).toBeLessThan(1e-7);
    expect(spectrum.conditionNumber).toBeCloseTo(spectrum.lambdaMax / spectrum.lambdaMin, 0);
    expect(spectrum.conditionNumber).toBeGreaterThan(1e6);
  });

  it('rejects a near-singular Hstar naming lambda_min and the condition number', () => {
    let error: unknown;
    try {
      prepareRun(datasetOf(nearlyParallelRows(1e-13), 'angle-1e-13'), TINY);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const message = (error as Error).message;
    expect(message).toContain('Hstar is near-singular');
    expect(message).toMatch(/lambda_min -?\d\.\d{3}e[-+]\d+/);
    expect(message).toMatch(/condition number (\d\.\d{3}e\+\d+|infinite)/);
    expect(message).toContain('Remove near-duplicate rows');
  });

  it('flags a singular Sstar in the report instead of inverting it', async () => {
    // With d = 3 the 1-bit net has at most 8 distinct neurons, so Sstar on 10 inputs is rank-deficient.
    const report = buildReport(await runCheck([kernelInitConcentration], TINY), ['K1']);
    expect(report.run.limitOneBit.nearSingular).toBe(true);
    expect(report.run.limitOneBit.conditionNumber).toBeNull();
    expect(report.run.limitOneBit.rank).toBeLessThan(report.data.trainSize);
    expect(Number.isFinite(report.run.symbols.gap_mismatch_mean)).toBe(true);
    expect(renderVerdictTable(report)).toMatch(/near-singular: rank \d+ of 10/);
  });
});

describe('divergent training', () => {
  let directory: string;

  beforeAll(() => {
    directory = makeTemporaryDirectory('diverge');
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('reports every run as diverged with its step and no NaN', async () => {
    const args = ['check', '--dataset', 'synthetic:linear:d=3:n=12', '--widths', '8,16', '--seeds', '2', '--init-seeds', '2', '--steps', '20', '--eta', '1000', '--workers', '1', '-o', 'diverged.json'];
    const run = await runCli(args, { cwd: directory });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/NaN|Infinity/);
    expect(run.stdout).toMatch(/4 runs diverged \(first: (full-precision|1-bit) at m = 8, seed 0, step \d+\); lower --eta/);

    const text = fs.readFileSync(path.join(directory, 'diverged.json'), 'utf8');
    expect(text).not.toMatch(/NaN|Infinity/);
    const report = JSON.parse(text);
    for (const cell of report.cells.filter((entry: { level: string }) => entry.level === 'training')) {
      expect(cell.divergence.step).toBeGreaterThan(0);
      expect(['full-precision', '1-bit']).toContain(cell.divergence.net);
    }
    const c1 = report.claims.find((claim: { label: string }) => claim.label === 'C1');
    expect(c1.divergences).toHaveLength(4);
    expect(c1.verdict).toBe('not-measured');
    // K1 uses only the values at initialization, which the divergence of training does not touch.
    const k1 = report.claims.find((claim: { label: string }) => claim.label === 'K1');
    expect(k1.divergences).toHaveLength(0);
    expect(k1.verdict).not.toBe('not-measured');
    expect(k1.statements[0].trials.evaluated).toBe(4);
    const undocumented = [...new Set(nullPaths(report))].filter((entry) => !DOCUMENTED_NULLS.has(entry));
    expect(undocumented).toEqual([]);
  });
});

describe('bounds that overflow', () => {
  const epsilonBound = (): ReturnType<typeof parseStatement> =>
    parseStatement('dev_max_H0 <= kappa^2 * sqrt(log(n * (n + 1) / delta) / (2 * m))', ['dev_max_H0', 'kappa', 'n', 'delta', 'm']);

  it('keeps the K1 bound finite with delta = 1e-300 and n = 100', () => {
    const result = evaluateStatement(epsilonBound(), { dev_max_H0: 0.1, kappa: 1, n: 100, delta: 1e-300, m: 256 });
    // n (n + 1) / delta = 1.01e304 is below the float64 maximum 1.8e308; sqrt(log(1.01e304) / 512) = 1.16926.
    expect(result.nonFinite).toEqual([]);
    expect(result.rhs).toBeCloseTo(Math.sqrt((Math.log(101 * 100) + 300 * Math.log(10)) / 512), 12);
    expect(result.holds).toBe(true);
  });

  it('names the overflow of n (n + 1) / delta with n = 1e6', () => {
    // 1e12 / 1e-300 = 1e312 overflows to Infinity although its logarithm, 718.4, is finite.
    const result = evaluateStatement(epsilonBound(), { dev_max_H0: 0.1, kappa: 1, n: 1e6, delta: 1e-300, m: 256 });
    expect(result.nonFinite).toEqual(['rhs']);
    expect(result.holds).toBe(false);
    expect(result.nonFiniteTerms).toEqual([{ subexpression: 'n * (n + 1) / delta', value: Number.POSITIVE_INFINITY }]);
  });

  it('names the side and term of an overflowing bound', () => {
    const statement = parseStatement('drift <= n^2 / delta^2', ['drift', 'n', 'delta']);
    const result = evaluateStatement(statement, { drift: 0.5, n: 1e6, delta: 1e-300 });
    expect(result.nonFinite).toEqual(['rhs']);
    expect(result.holds).toBe(false);
    expect(result.nonFiniteTerms.map((term) => term.subexpression).join(' ')).toMatch(/delta/);
  });

  it('leaves trials with a non-finite bound out of the verdict', async () => {
    // delta^2 underflows to 0, so the bound is 0 / 0 = NaN at step 0 and +Infinity after.
    const overflowing: Claim = {
      ...kernelStabilityFp,
      id: 'kernel-stability-fp-tiny-delta',
      delta: 1e-300,
      statements: [{ kind: 'bound', id: 'H-drift', expression: 'drift_op_H <= 4 * n^2 * kappa^2 * R_fp / (sigma * sqrt(2 * pi) * delta^2)', description: 'overflowing' }],
    };
    const report = buildReport(await runCheck([overflowing, { ...kernelStabilityFp, delta: 1e-300 }], TINY), []);
    const [tiny, original] = report.claims;

    const statement = tiny.statements[0];
    expect(statement.nonFinite?.trials).toBe(4);
    expect(statement.nonFinite?.sides).toEqual(['rhs']);
    expect(statement.nonFinite?.terms.join(' ')).toMatch(/delta/);
    expect(statement.trials?.failures).toBe(0);
    expect(tiny.verdict).toBe('not-measured');

    // With delta itself (not squared) the bound stays finite: huge, so loose, but judged.
    expect(original.statements[0].nonFinite).toBeUndefined();
    expect(original.looseness).toBeGreaterThan(1e290);

    const table = renderVerdictTable(report);
    expect(table).toContain('4 trials not counted: rhs not finite');
    expect(table).not.toMatch(/NaN/);
    expect(serializeReport(report)).not.toMatch(/NaN|Infinity/);
  });
});
