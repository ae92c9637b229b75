import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFitCommand } from '../../src/cli/fit.js';
import { InvalidInputError } from '../../src/errors.js';

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
