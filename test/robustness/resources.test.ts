/**
 * Resource guards: memory requests beyond the limit are rejected before any allocation,
 * end to end, and the time estimate follows its cost model and warns about long runs.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions } from '../../src/check/options.js';
import { estimateCellBytes, estimateItemSeconds, formatDuration, TIME_COEFFICIENTS } from '../../src/check/resources.js';
import type { WorkItem } from '../../src/check/work.js';
import { finished, makeTemporaryDirectory, runCli, startCli, STACK_TRACE_PATTERN, waitFor } from '../cli/spawn.js';

const OPTIONS = validateCheckOptions({ ...DEFAULT_CHECK_OPTIONS, steps: 50, checkpoints: 4 });

function item(width: number, level: WorkItem['level']): WorkItem {
  return { width, seed: 0, level, kappa: null, subsetSize: null };
}

describe('estimateItemSeconds', () => {
  it('prices an initialization cell as 2 kernels and 4 eigen-solves', () => {
    // n = 10, m = 100: 2 kernels of 10^2 * 100 overlaps and 4 full eigen-solves of 10^3.
    const expected = 2 * TIME_COEFFICIENTS.kernelOverlap * 1e4 + 4 * TIME_COEFFICIENTS.fullEigen * 1e3;
    expect(estimateItemSeconds(item(100, 'initialization'), 10, 2, OPTIONS)).toBeCloseTo(expected, 15);
  });

  it('adds T steps, checkpoint kernels and eigen-solves for training', () => {
    // c = 4: 2 + 2 * 5 = 12 kernels, 4 + 2 * 4 + 2 = 14 eigen-solves, 50 steps of n m (d a + b).
    const kernels = 12 * TIME_COEFFICIENTS.kernelOverlap * 1e4;
    const eigen = 14 * TIME_COEFFICIENTS.fullEigen * 1e3;
    const steps = 50 * 10 * 100 * (2 * TIME_COEFFICIENTS.trainingMultiplyAdd + TIME_COEFFICIENTS.trainingNeuron);
    expect(estimateItemSeconds(item(100, 'training'), 10, 2, OPTIONS)).toBeCloseTo(kernels + eigen + steps, 15);
  });

  it('switches to iterative eigen-solves above 400 examples', () => {
    const small = estimateItemSeconds(item(1, 'initialization'), 400, 2, OPTIONS);
    const large = estimateItemSeconds(item(1, 'initialization'), 401, 2, OPTIONS);
    expect(small).toBeCloseTo(2 * TIME_COEFFICIENTS.kernelOverlap * 400 ** 2 + 4 * TIME_COEFFICIENTS.fullEigen * 400 ** 3, 12);
    expect(large).toBeCloseTo(2 * TIME_COEFFICIENTS.kernelOverlap * 401 ** 2 + 4 * TIME_COEFFICIENTS.iterativeEigen * 401 ** 2, 12);
  });
});

describe('formatDuration', () => {
  it('uses seconds, minutes or hours', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(89)).toBe('89 s');
    expect(formatDuration(90)).toBe('2 min');
    expect(formatDuration(5399)).toBe('90 min');
    expect(formatDuration(5400)).toBe('1.5 h');
  });
});

describe('memory and time guards end to end', () => {
  let directory: string;

  beforeAll(() => {
    directory = makeTemporaryDirectory('resources');
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('rejects check --widths 16777216 on cars before allocating', async () => {
    const run = await runCli(['check', 'K1', '--dataset', 'cars', '--widths', '16777216', '--no-output'], { cwd: directory });
    // n = 390 examples, d = 5: 3 * 390 * 2^24 * 8 bytes of pre-activations alone are 146 GiB.
    const estimate = estimateCellBytes(390, 2 ** 24, 5, DEFAULT_CHECK_OPTIONS.checkpoints);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(STACK_TRACE_PATTERN);
    expect(run.stderr).toContain(`needs about ${(estimate / 1024 ** 3).toFixed(2)} GiB`);
    expect(run.stderr).toContain('lower the largest value of --widths');
    expect(run.stderr).toContain('--memory-limit');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects kernel --width 16777216 on cars before allocating', async () => {
    const run = await runCli(['kernel', '--dataset', 'cars', '--width', '16777216'], { cwd: directory });
    const estimate = estimateCellBytes(390, 2 ** 24, 5, 0);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--width 16777216 with n = 390, d = 5 needs about ${(estimate / 1024 ** 3).toFixed(2)} GiB`);
    expect(run.stderr).toContain('use a smaller --width or --data-size');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a run over --memory-limit', async () => {
    const run = await runCli(['check', 'K1', '--widths', '256,512', '--memory-limit', '0.001', '--no-output'], { cwd: directory });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('over the limit of 1.0 MiB');
  });

  it('warns about a run estimated at over an hour and still starts it', async () => {
    // 4 cells of 10^6 steps at m = 16384 on iris: hours by any plausible speed.
    const started = startCli(['check', 'C1', '--widths', '8192,16384', '--seeds', '2', '--steps', '1000000', '--workers', '2', '-o', 'long.json'], { cwd: directory });
    await waitFor(() => started.output.stderr.includes('bitbound: warning:'), 60_000);
    started.process.kill('SIGINT');
    const stopped = await finished(started.process, started.output);
    expect(stopped.stderr).toMatch(/bitbound: warning: 4 of 4 work items to measure, estimated [\d.]+ h of single-core time/);
    expect(stopped.stderr).toContain('lower --widths, --seeds or --steps to shorten it, or split it with --shard i/k');
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('interrupted by SIGINT after measuring 0 of 4 work items');
  });
});
