/**
 * A real check report for the site tests: the whole catalogue on iris with a grid small
 * enough for CI (widths 64 and 256, 3 seeds, 20 steps), run in this process with one worker.
 * It takes about 2 s and is built once per test file.
 */
import { CATALOGUE } from '../../proofs/index.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions } from '../../src/check/options.js';
import { runCheck } from '../../src/check/runner.js';
import { buildReport, type CheckReport } from '../../src/report/report.js';

/** Options of the small run. */
export const SMALL_RUN = validateCheckOptions({
  ...DEFAULT_CHECK_OPTIONS,
  widths: [64, 256],
  seeds: 3,
  initSeeds: 3,
  steps: 20,
  bootstrapReplicates: 200,
});

let cached: Promise<CheckReport> | null = null;

/** Returns the report of the small run, computed on first use. */
export function smallReport(): Promise<CheckReport> {
  cached ??= runCheck(CATALOGUE, SMALL_RUN, { workers: 1 }).then((result) => buildReport(result, []));
  return cached;
}
