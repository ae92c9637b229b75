import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFitCommand } from '../../src/cli/fit.js';
import { InvalidInputError } from '../../src/errors.js';
import { runCli, STACK_TRACE_PATTERN } from '../cli/spawn.js';

const BUNDLED_BITNET = fileURLToPath(new URL('../../data/bitnet-b158.csv', import.meta.url));

/** Runs `bitbound fit` with the given arguments and collects what it prints. */
async function runFit(args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const command = createFitCommand({
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  command.exitOverride();
  await command.parseAsync(args, { from: 'user' });
  return { stdout, stderr };
}

describe('createFitCommand', () => {
  let directory: string;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-fit-'));
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('prints a table per family of the BitNet table', async () => {
    const { stdout, stderr } = await runFit([BUNDLED_BITNET, '--replicates', '200']);
    expect(stdout).toContain('family llama: L = (N_c / N)^alpha, 3 points');
    expect(stdout).toContain('family bitnet-b1.58: L = (N_c / N)^alpha, 4 points');
    expect(stdout).toMatch(/alpha\s+0\.0\d+\s+\[0\.0\d+, 0\.0\d+\]/);
    expect(stdout).toContain('95% interval');
    expect(stderr).toContain('warning: family llama: N spans only a factor of 4.29 (less than a decade)');
  });

  it('writes the JSON result atomically', async () => {
    const output = path.join(directory, 'fit.json');
    const { stdout } = await runFit([BUNDLED_BITNET, '--replicates', '100', '--json', output]);
    expect(stdout).toContain(`JSON result: ${output}`);
    const report = JSON.parse(fs.readFileSync(output, 'utf8'));
    expect(report.options).toMatchObject({ form: 'pure', variable: 'N', bootstrapReplicates: 100, confidence: 0.95, seed: 1 });
    expect(report.fits.map((entry: { family: string }) => entry.family)).toEqual(['llama', 'bitnet-b1.58']);
    expect(report.fits[1].residuals).toHaveLength(4);
    expect(fs.readdirSync(directory)).toEqual(['fit.json']);
  });

  it('gives the same output for the same seed', async () => {
    const first = await runFit([BUNDLED_BITNET, '--replicates', '100', '--seed', '5']);
    const second = await runFit([BUNDLED_BITNET, '--replicates', '100', '--seed', '5']);
    expect(second.stdout).toBe(first.stdout);
  });

  it('fits the offset form and withholds the interpolating interval', async () => {
    const { stdout, stderr } = await runFit([BUNDLED_BITNET, '--form', 'offset', '--replicates', '100']);
    expect(stdout).toContain('family llama: L = E + A / N^alpha, 3 points');
    expect(stdout).toMatch(/E\s+\S+\s+none/);
    expect(stderr).toContain('passes through every point');
  });

  it('rejects a missing file', async () => {
    await expect(runFit([path.join(directory, 'absent.csv')])).rejects.toThrow(InvalidInputError);
    await expect(runFit([path.join(directory, 'absent.csv')])).rejects.toThrow(/not found/);
  });

  it('rejects invalid option values', async () => {
    await expect(runFit([BUNDLED_BITNET, '--form', 'cubic'])).rejects.toThrow(/--form/);
    await expect(runFit([BUNDLED_BITNET, '--replicates', 'many'])).rejects.toThrow(/--replicates/);
    await expect(runFit([BUNDLED_BITNET, '--confidence', '2'])).rejects.toThrow(/^--confidence: must lie in \(0, 1\)/);
    await expect(runFit([BUNDLED_BITNET, '--replicates', '-3'])).rejects.toThrow(/^--replicates: must be 0 or more/);
  });

  it('rejects a variable that does not vary', async () => {
    // D is 100B tokens for every run of the table.
    await expect(runFit([BUNDLED_BITNET, '--variable', 'D'])).rejects.toThrow(/family llama: fitScalingLaw points: all points have the same D/);
  });

  it('reports the line of a bad cell', async () => {
    const file = path.join(directory, 'runs.csv');
    fs.writeFileSync(file, 'N,loss\n1e6,3\n2e6,x\n');
    await expect(runFit([file])).rejects.toThrow('runs.csv line 3, column loss');
  });
});

/** Writes a CSV with columns N and loss, one row per pair, and returns its path. */
function writeRuns(directory: string, name: string, rows: readonly (readonly [number, number])[]): string {
  const file = path.join(directory, name);
  fs.writeFileSync(file, `N,loss\n${rows.map(([N, loss]) => `${N},${loss}`).join('\n')}\n`);
  return file;
}

/** Model sizes of the flat-loss cases: six doublings from 1e6. */
const DOUBLING_SIZES = [1e6, 2e6, 4e6, 8e6, 1.6e7, 3.2e7];

describe('bitbound fit on degenerate data', () => {
  // These runs spawn the built program, so `npm run build` must have run first.
  let directory: string;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-fit-'));
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const rejected: { name: string; rows: (readonly [number, number])[]; args: string[]; message: RegExp }[] = [
    {
      name: 'loss 3 everywhere',
      rows: DOUBLING_SIZES.map((N) => [N, 3]),
      args: [],
      message: /^bitbound: error: family all: fitScalingLaw points: the loss is the same at every point, 3 up to rounding .*check the loss or perplexity column/,
    },
    {
      name: 'loss 1 everywhere',
      rows: DOUBLING_SIZES.map((N) => [N, 1]),
      args: ['--form', 'offset'],
      message: /the loss is the same at every point, 1 up to rounding .*so the exponent and scale of the offset form are undefined/,
    },
    {
      name: 'loss rising by 1e-9 per doubling',
      rows: DOUBLING_SIZES.map((N, i) => [N, 3 * Math.exp(1e-9 * i)]),
      args: [],
      message: /the fitted N_c is 0 because ln N_c = k \/ alpha = -7\.615\d+e\+8 lies outside the range of a double/,
    },
    {
      name: 'N near 1e300',
      rows: [1e300, 2e300, 4e300, 8e300, 1.6e301, 3.2e301].map((N, i) => [N, 3 - 0.1 * i]),
      args: [],
      message: /the fitted N_c is Infinity .*give N in other units$/,
    },
    {
      name: 'loss near 1e308',
      rows: [1e300, 2e300, 4e300, 8e300, 1.6e301, 3.2e301].map((N, i) => [N, 1e308 / 2 ** i]),
      args: ['--form', 'offset'],
      message: /the fitted A is Infinity, outside the range of a double/,
    },
  ];

  for (const testCase of rejected) {
    it(`rejects ${testCase.name}`, async () => {
      const file = writeRuns(directory, 'runs.csv', testCase.rows);
      const json = path.join(directory, 'fit.json');
      const run = await runCli(['fit', file, '--replicates', '100', '--json', json, ...testCase.args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr.trimEnd()).toMatch(testCase.message);
      expect(run.stderr).not.toMatch(STACK_TRACE_PATTERN);
      expect(run.stderr).not.toMatch(/NaN/);
      expect(fs.existsSync(json)).toBe(false);
    });
  }

  const accepted: { name: string; rows: (readonly [number, number])[]; form: string; warning: RegExp | null }[] = [
    { name: 'a rising loss', rows: DOUBLING_SIZES.map((N, i) => [N, 2 + 0.2 * i]), form: 'pure', warning: /warning: family all: alpha = -0\.11\d+ is negative/ },
    { name: 'two distinct N', rows: [1e6, 1e6, 1e9, 1e9].map((N, i) => [N, [3.03, 2.97, 2.02, 1.98][i]!]), form: 'pure', warning: null },
    { name: 'a loss near 1e300', rows: DOUBLING_SIZES.map((N, i) => [N, 1e300 / 2 ** i]), form: 'offset', warning: null },
    { name: 'a loss spread of 5e-8', rows: DOUBLING_SIZES.map((N, i) => [N, 3 * Math.exp(-1e-8 * i)]), form: 'offset', warning: /the loss changes by only 5\.\d+e-8 in ln L/ },
  ];

  for (const testCase of accepted) {
    it(`prints only finite numbers for ${testCase.name}`, async () => {
      const file = writeRuns(directory, 'runs.csv', testCase.rows);
      const json = path.join(directory, 'fit.json');
      const run = await runCli(['fit', file, '--form', testCase.form, '--replicates', '100', '--json', json]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('family all: ');
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/NaN|Infinity/);
      if (testCase.warning !== null) expect(run.stderr).toMatch(testCase.warning);

      // JSON has no NaN or Infinity, and JSON.stringify writes them as null, so only the interval bounds may be null.
      const report = JSON.parse(fs.readFileSync(json, 'utf8'));
      const fit = report.fits[0];
      for (const parameter of fit.parameters) {
        expect(Number.isFinite(parameter.estimate), parameter.name).toBe(true);
        expect(parameter.lower === null || Number.isFinite(parameter.lower), parameter.name).toBe(true);
        expect(parameter.upper === null || Number.isFinite(parameter.upper), parameter.name).toBe(true);
      }
      expect(fit.residuals.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(fit.rmseLog)).toBe(true);
      expect(Number.isFinite(fit.objective)).toBe(true);
    });
  }
});
