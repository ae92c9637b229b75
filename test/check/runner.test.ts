import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, kernelInitConcentration, kernelRegime } from '../../proofs/index.js';
import type { Claim } from '../../src/claims/claim.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions, type CheckOptions } from '../../src/check/options.js';
import { runCheck } from '../../src/check/runner.js';
import { buildReport, serializeReport } from '../../src/report/report.js';
import { TOOL_VERSION } from '../../src/version.js';

/** A grid small enough for CI: three widths, four seeds, twenty steps on a synthetic set. */
const SMALL: CheckOptions = validateCheckOptions({
  ...DEFAULT_CHECK_OPTIONS,
  dataset: 'synthetic:sine:d=6:n=40',
  widths: [64, 256, 1024],
  seeds: 4,
  initSeeds: 12,
  steps: 20,
  checkpoints: 2,
  bootstrapReplicates: 200,
});

describe('runCheck', () => {
  it('gives a byte-identical report for the same options', async () => {
    const first = serializeReport(buildReport(await runCheck(CATALOGUE, SMALL), []));
    const second = serializeReport(buildReport(await runCheck(CATALOGUE, SMALL), []));
    expect(second).toBe(first);
    expect(first).not.toMatch(/NaN|Infinity/);
  });

  it('reports a verdict for every catalogue claim', async () => {
    const report = buildReport(await runCheck(CATALOGUE, SMALL), []);
    expect(report.claims.map((claim) => claim.label)).toEqual(['K1', 'K2', 'K3', 'C1', 'A1', 'G1', 'S1']);
    for (const claim of report.claims) expect(claim.verdict).not.toBe('not-measured');
  });

  it('supports K1 on the bundled iris data', async () => {
    const options = validateCheckOptions({ ...DEFAULT_CHECK_OPTIONS, widths: [256, 1024, 4096], initSeeds: 12 });
    const report = buildReport(await runCheck([kernelInitConcentration], options), ['K1']);
    // 36 trials without a failure: Clopper-Pearson upper bound 1 - 0.025^(1/36) = 0.0973 <= delta = 0.1.
    expect(report.claims[0].verdict).toBe('supported');
    expect(report.data.name).toBe('iris');
  });

  it('refutes K1 with its bound shrunk a hundredfold', async () => {
    const shrunk: Claim = {
      ...kernelInitConcentration,
      id: 'kernel-init-concentration-shrunk',
      statements: [
        { kind: 'bound', id: 'H-max-entry', expression: 'dev_max_H0 <= 0.01 * kappa^2 * sqrt(log(n * (n + 1) / delta) / (2 * m))', description: 'shrunk' },
      ],
    };
    const report = buildReport(await runCheck([shrunk], SMALL), []);
    const statement = report.claims[0].statements[0];
    expect(report.claims[0].verdict).toBe('refuted');
    expect(statement.counterexample?.width).toBe(64);
    expect(statement.counterexample?.margin).toBeLessThan(0);
  });

  it('finds A1 inconsistent when the planted target exponent is wrong', async () => {
    const planted: Claim = { ...kernelRegime, statements: [{ kind: 'rate-target', id: 'fp-rate', exponent: 'slope_traj_dev_fp', target: -2, description: 'planted' }] };
    const report = buildReport(await runCheck([planted], SMALL), []);
    expect(report.claims[0].verdict).toBe('inconsistent');
  });

  it('rejects a run with no claims', async () => {
    await expect(runCheck([], SMALL)).rejects.toThrow(/no claim selected/);
  });
});

describe('version', () => {
  it('matches package.json', () => {
    const manifest = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(manifest.version);
  });
});
