import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/claims/claim.js';
import type { CellMeasurement } from '../../src/check/cell.js';
import { evaluateClaim, mostSevere } from '../../src/check/evaluate.js';

const OPTIONS = { confidence: 0.95, bootstrapReplicates: 400, seed: 1 };

/** Builds a cell whose cell-level values are given; level `training` with an optional timeline. */
function cell(width: number, seed: number, values: Record<string, number>, timeline: Record<string, number>[] = []): CellMeasurement {
  return { width, seed, level: 'training', values: { m: width, N: width * 3, seed, ...values }, timeline, divergence: null, curves: null };
}

function claim(overrides: Partial<Claim>): Claim {
  return {
    id: 'test-claim',
    label: 'T1',
    title: 'test claim',
    summary: 'a constructed claim for the verdict rules',
    provenance: { kind: 'derived', note: 'constructed' },
    hypotheses: [],
    statements: [],
    measurement: 'training',
    uses: [],
    ...overrides,
  };
}

const widths = [100, 400, 1600];
const seeds = Array.from({ length: 20 }, (_, i) => i);

describe('bound statements without a probability', () => {
  it('hold when every trial satisfies the inequality', () => {
    const cells = widths.flatMap((m) => seeds.map((s) => cell(m, s, { lambda_min_H0: 1 / Math.sqrt(m) })));
    const result = evaluateClaim(claim({ statements: [{ kind: 'bound', id: 'b', expression: 'lambda_min_H0 <= 2 / sqrt(m)', description: '' }] }), {}, cells, OPTIONS);
    expect(result.verdict).toBe('holds');
    // RHS / LHS = 2 on every trial.
    expect(result.statements[0].looseness?.min).toBeCloseTo(2, 12);
  });

  it('are violated with the smallest failing width and seed as counterexample', () => {
    const cells = widths.flatMap((m) => seeds.map((s) => cell(m, s, { lambda_min_H0: s === 7 && m >= 400 ? 1 : 0 })));
    const result = evaluateClaim(claim({ statements: [{ kind: 'bound', id: 'b', expression: 'lambda_min_H0 <= 0.5', description: '' }] }), {}, cells, OPTIONS);
    expect(result.verdict).toBe('violated');
    expect(result.statements[0].counterexample).toMatchObject({ width: 400, seed: 7, lhs: 1, rhs: 0.5, margin: -0.5 });
  });

  it('hold only if every recorded step holds', () => {
    const timeline = [
      { t: 0, residual_sq_fp: 1 },
      { t: 1, residual_sq_fp: 0.5 },
      { t: 2, residual_sq_fp: 0.9 },
    ];
    const cells = [cell(100, 0, { residual_sq_fp_0: 1 }, timeline), cell(100, 1, { residual_sq_fp_0: 1 }, timeline)];
    const statement = { kind: 'bound' as const, id: 'rate', expression: 'residual_sq_fp <= 0.8^t * residual_sq_fp_0', description: '' };
    const result = evaluateClaim(claim({ statements: [statement] }), {}, cells, OPTIONS);
    // Step 2: 0.9 > 0.64, so every trial fails at step 2.
    expect(result.verdict).toBe('violated');
    expect(result.statements[0].counterexample?.step).toBe(2);
  });
});

describe('bound statements with a probability', () => {
  const statement = { kind: 'bound' as const, id: 'b', expression: 'dev_max_H0 <= 1', description: '' };

  it('are supported with no failures in enough trials', () => {
    const cells = widths.flatMap((m) => seeds.map((s) => cell(m, s, { dev_max_H0: 0.5 })));
    const result = evaluateClaim(claim({ delta: 0.1, statements: [statement] }), {}, cells, OPTIONS);
    // 60 trials, 0 failures: Clopper-Pearson upper bound 1 - 0.025^(1/60) = 0.0596 <= 0.1.
    expect(result.verdict).toBe('supported');
    expect(result.statements[0].failureRateInterval?.upper).toBeCloseTo(1 - 0.025 ** (1 / 60), 6);
  });

  it('are refuted when failures clearly exceed delta', () => {
    const cells = widths.flatMap((m) => seeds.map((s) => cell(m, s, { dev_max_H0: s % 2 === 0 ? 2 : 0.5 })));
    const result = evaluateClaim(claim({ delta: 0.1, statements: [statement] }), {}, cells, OPTIONS);
    expect(result.verdict).toBe('refuted');
  });

  it('are inconclusive with too few trials and say how many would settle it', () => {
    const cells = [0, 1, 2, 3, 4].map((s) => cell(100, s, { dev_max_H0: 0.5 }));
    const result = evaluateClaim(claim({ delta: 0.1, statements: [statement] }), {}, cells, OPTIONS);
    expect(result.verdict).toBe('inconclusive');
    // With no failures, 1 - 0.025^(1/K) <= 0.1 first holds at K = 36.
    expect(result.statements[0].trialsToSettle).toBe(36);
  });

  it('are outside the hypothesis when no trial meets it, and still measured', () => {
    const cells = widths.flatMap((m) => seeds.map((s) => cell(m, s, { dev_max_H0: 2 })));
    const result = evaluateClaim(
      claim({ delta: 0.1, hypotheses: [{ expression: 'm >= 10^6', description: 'huge width' }], statements: [statement] }),
      {},
      cells,
      OPTIONS,
    );
    expect(result.verdict).toBe('outside-hypothesis');
    expect(result.statements[0].asMeasuredOutsideHypothesis).toEqual({ evaluated: 60, failures: 60 });
    expect(result.hypotheses[0].threshold).toBe(1e6);
  });
});

describe('rate statements', () => {
  const exponents = [{ symbol: 'slope_dev', of: 'traj_dev_fp', against: 'm' as const, description: '' }];

  function decayingCells(exponent: number, noise: number): CellMeasurement[] {
    return widths.flatMap((m) => seeds.map((s) => cell(m, s, { traj_dev_fp: m ** exponent * (1 + noise * Math.sin(7 * s + m)) })));
  }

  it('are consistent when the whole interval satisfies the inequality', () => {
    const result = evaluateClaim(claim({ exponents, statements: [{ kind: 'rate', id: 'r', expression: 'slope_dev < 0', description: '' }] }), {}, decayingCells(-0.5, 0.1), OPTIONS);
    expect(result.verdict).toBe('consistent');
    expect(result.exponents[0].estimate).toBeCloseTo(-0.5, 1);
  });

  it('are inconsistent when the whole interval violates it', () => {
    const result = evaluateClaim(claim({ exponents, statements: [{ kind: 'rate', id: 'r', expression: 'slope_dev < 0', description: '' }] }), {}, decayingCells(0.5, 0.1), OPTIONS);
    expect(result.verdict).toBe('inconsistent');
  });

  it('check a target exponent by interval containment', () => {
    const cells = decayingCells(-0.5, 0.1);
    const near = evaluateClaim(claim({ exponents, statements: [{ kind: 'rate-target', id: 't', exponent: 'slope_dev', target: -0.5, description: '' }] }), {}, cells, OPTIONS);
    const far = evaluateClaim(claim({ exponents, statements: [{ kind: 'rate-target', id: 't', exponent: 'slope_dev', target: -1, description: '' }] }), {}, cells, OPTIONS);
    expect(near.verdict).toBe('consistent');
    expect(far.verdict).toBe('inconsistent');
  });
});

describe('mostSevere', () => {
  it('orders verdicts from violated to consistent', () => {
    expect(mostSevere(['consistent', 'inconclusive', 'supported'])).toBe('inconclusive');
    expect(mostSevere(['holds', 'violated', 'refuted'])).toBe('violated');
    expect(mostSevere([])).toBe('not-measured');
  });
});
