/**
 * Mutation suite: planted false variants of the catalogue claims, each of which the property
 * checker must find violated, refuted or inconsistent, next to the true catalogue claims,
 * none of which it may reject at the default trial budget. Grids are small synthetic sets
 * (d = 8, where the sign-kernel limit is nonsingular) so the suite runs in well under a minute.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { kernelInitConcentration, kernelRegime, kernelStability1bit, kernelStabilityFp } from '../../proofs/index.js';
import type { Claim, StatementSpec, Verdict } from '../../src/claims/claim.js';
import { runClaimProperty, type BoundSearchResult, type InstanceSpace } from '../../src/check/property.js';
import { CLAIM_FAILING_VERDICTS } from '../../src/cli/claim.js';

/** Initialization-level instances: widths 16 to 1024 on sine data with 20 to 40 points in d = 8. */
const INITIALIZATION_SPACE: InstanceSpace = {
  width: { min: 16, max: 1024 },
  seed: { min: 0, max: 999 },
  dataset: { kind: 'synthetic', target: 'sine', size: { min: 20, max: 40 }, dimension: { min: 8, max: 8 }, seed: 0, noise: 0 },
  kappa: { min: 1, max: 1 },
  eta: null,
  steps: 20,
  quantizer: 'sign',
};

/** Training-level instances: the same data, widths 16 to 512, 20 steps of gradient descent. */
const TRAINING_SPACE: InstanceSpace = { ...INITIALIZATION_SPACE, width: { min: 16, max: 512 } };

/**
 * The rate grid of A1: widths 256 to 4096, 30 steps, on 40 sine points in d = 8. Measured
 * with 8 seeds, the full-precision slope is -0.50 with interval [-0.64, -0.39].
 */
const RATE_SPACE: InstanceSpace = {
  ...INITIALIZATION_SPACE,
  width: { min: 256, max: 4096 },
  dataset: { kind: 'synthetic', target: 'sine', size: { min: 40, max: 40 }, dimension: { min: 8, max: 8 }, seed: 0, noise: 0 },
  steps: 30,
};
const RATE_SEEDS = 8;

const EPSILON = 'kappa^2 * sqrt(log(n * (n + 1) / delta) / (2 * m))';

function withStatements(claim: Claim, id: string, statements: StatementSpec[], changes: Partial<Claim> = {}): Claim {
  return { ...claim, id, statements, ...changes };
}

function bound(id: string, expression: string): StatementSpec {
  return { kind: 'bound', id, expression, description: id };
}

/** A1 reduced to its full-precision exponent, with the given statements. */
function fullPrecisionRate(id: string, statements: StatementSpec[]): Claim {
  return { ...kernelRegime, id, statements, exponents: kernelRegime.exponents!.filter((exponent) => exponent.symbol === 'slope_traj_dev_fp') };
}

interface Case {
  readonly name: string;
  readonly claim: Claim;
  readonly space: InstanceSpace;
  readonly expected: Verdict;
}

const MUTANTS: Case[] = [
  {
    name: 'K1 with sqrt(1/m) replaced by 1/m',
    claim: withStatements(kernelInitConcentration, 'k1-exponent', [bound('H-max-entry', 'dev_max_H0 <= kappa^2 * sqrt(log(n * (n + 1) / delta) / 2) / m')]),
    space: INITIALIZATION_SPACE,
    expected: 'refuted',
  },
  {
    name: 'K1 with its bound times 0.05',
    claim: withStatements(kernelInitConcentration, 'k1-constant', [bound('H-max-entry', `dev_max_H0 <= 0.05 * ${EPSILON}`)]),
    space: INITIALIZATION_SPACE,
    expected: 'refuted',
  },
  {
    // Half the bound fails on about one instance in ten; the claim allows one in ten thousand.
    name: 'K1 at half its bound claimed with delta = 1e-4',
    claim: withStatements(kernelInitConcentration, 'k1-probability', [bound('H-max-entry', `dev_max_H0 <= 0.5 * ${EPSILON}`)], { delta: 1e-4 }),
    space: INITIALIZATION_SPACE,
    expected: 'refuted',
  },
  {
    // Stated without a probability (delta fixed at 0.1 inside the bound), so the search and shrinking run.
    name: 'K1 Weyl line with its direction flipped',
    claim: withStatements(kernelInitConcentration, 'k1-direction', [bound('H-lambda-min', 'lambda_min_H0 <= lambda_H - n * kappa^2 * sqrt(log(n * (n + 1) / 0.1) / (2 * m))')], {
      delta: undefined,
    }),
    space: INITIALIZATION_SPACE,
    expected: 'violated',
  },
  {
    name: 'K1 with dev_max_H0 and dev_op_H0 swapped',
    claim: withStatements(kernelInitConcentration, 'k1-swap', [bound('H-max-entry', `dev_op_H0 <= ${EPSILON}`), bound('H-spectral', `dev_max_H0 <= n * ${EPSILON}`)]),
    space: INITIALIZATION_SPACE,
    expected: 'refuted',
  },
  {
    name: 'K2 with its bound divided by n^2 * 1e4',
    claim: withStatements(kernelStabilityFp, 'k2-divided', [bound('H-drift', 'drift_op_H <= 4 * kappa^2 * R_fp / (sigma * sqrt(2 * pi) * delta * 1e4)')]),
    space: TRAINING_SPACE,
    expected: 'refuted',
  },
  {
    name: "A1's full-precision exponent -0.5 changed to -1.5",
    claim: fullPrecisionRate('a1-target', [{ kind: 'rate-target', id: 'fp-rate', exponent: 'slope_traj_dev_fp', target: -1.5, description: 'planted' }]),
    space: RATE_SPACE,
    expected: 'inconsistent',
  },
  {
    name: "A1's full-precision deviation claimed to grow with width",
    claim: fullPrecisionRate('a1-sign', [{ kind: 'rate', id: 'fp-grows', expression: 'slope_traj_dev_fp > 0', description: 'planted' }]),
    space: RATE_SPACE,
    expected: 'inconsistent',
  },
];

const TRUE_CLAIMS: Case[] = [
  { name: 'K1', claim: kernelInitConcentration, space: INITIALIZATION_SPACE, expected: 'supported' },
  { name: 'K2', claim: kernelStabilityFp, space: TRAINING_SPACE, expected: 'supported' },
  { name: 'K3', claim: kernelStability1bit, space: TRAINING_SPACE, expected: 'supported' },
  {
    name: "A1's full-precision rate",
    claim: fullPrecisionRate('a1-fp', kernelRegime.statements.filter((statement) => statement.id === 'fp-vanishes' || statement.id === 'fp-rate')),
    space: RATE_SPACE,
    expected: 'consistent',
  },
];

/** Runs a case with the command's default budgets; only the rate grid's seed count is set. */
async function verdictOf(testCase: Case): Promise<Awaited<ReturnType<typeof runClaimProperty>>> {
  return runClaimProperty(testCase.claim, testCase.space, { seed: 0, gridSeeds: RATE_SEEDS });
}

describe('mutation suite', () => {
  let caught = 0;
  let rejected = 0;

  afterAll(() => {
    console.log(`caught ${caught}/${MUTANTS.length} mutants, ${rejected}/${TRUE_CLAIMS.length} true claims rejected`);
  });

  for (const mutant of MUTANTS) {
    it(`catches ${mutant.name}`, async () => {
      const result = await verdictOf(mutant);
      if (CLAIM_FAILING_VERDICTS.includes(result.verdict)) caught++;
      expect(result.verdict).toBe(mutant.expected);
    });
  }

  it('shrinks the deterministic mutant to the smallest width', async () => {
    const direction = MUTANTS.find((mutant) => mutant.claim.id === 'k1-direction')!;
    const search = (await verdictOf(direction)).bounds as BoundSearchResult;
    expect(search.counterexample!.outcome.instance.width).toBe(INITIALIZATION_SPACE.width.min);
    expect(search.counterexample!.outcome.statements[0].margin).toBeLessThan(0);
  });

  for (const trueClaim of TRUE_CLAIMS) {
    it(`accepts ${trueClaim.name}`, async () => {
      const result = await verdictOf(trueClaim);
      if (CLAIM_FAILING_VERDICTS.includes(result.verdict)) rejected++;
      expect(result.verdict).toBe(trueClaim.expected);
    });
  }
});
