import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import katex from 'katex';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createClaimCommand, shellQuote } from '../../src/cli/claim.js';
import { runCli } from '../../src/cli/main.js';
import { MEASURED_SYMBOLS } from '../../src/claims/symbols.js';
import { InvalidInputError } from '../../src/errors.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/claims/', import.meta.url));

/** Relative tolerance of a root found by Brent's method, which stops at 1e-12 relative to the root. */
const SOLVE_RELATIVE_TOLERANCE = 1e-10;

/** Small, fast options for property runs: 12 to 24 points in d = 4 to 6. */
const SMALL_DATA = ['--dataset', 'synthetic:sine:d=4..6:n=12..24', '--widths', '8..256', '--steps', '8'];

interface CommandRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `bitbound claim` in-process with collected output. */
async function runClaim(args: string[]): Promise<CommandRun> {
  const run: CommandRun = { stdout: '', stderr: '', exitCode: 0 };
  const command = createClaimCommand({
    stdout: (text) => {
      run.stdout += text;
    },
    stderr: (text) => {
      run.stderr += text;
    },
    setExitCode: (code) => {
      run.exitCode = code;
    },
  });
  command.exitOverride();
  await command.parseAsync(args, { from: 'user' });
  return run;
}

/** Runs the whole program as the `bitbound` binary does, with stdout and stderr captured. */
async function runProgram(args: string[]): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const stdoutSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const stderrSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const exitCode = await runCli(['claim', ...args]);
    return { stdout, stderr, exitCode };
  } finally {
    stdoutSpy.mockRestore();
    stderrSpy.mockRestore();
    process.exitCode = undefined;
  }
}

/** Splits a POSIX shell command line of plain and single-quoted words, as `shellQuote` writes them. */
function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index];
    if (character === "'") {
      const end = line.indexOf("'", index + 1);
      current += line.slice(index + 1, end);
      index = end;
      inWord = true;
    } else if (character === '\\') {
      current += line[index + 1];
      index++;
      inWord = true;
    } else if (character === ' ') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += character;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function lineStartingWith(text: string, prefix: string): string {
  const line = text.split('\n').find((entry) => entry.trimStart().startsWith(prefix));
  if (line === undefined) throw new Error(`no line starting with ${JSON.stringify(prefix)} in:\n${text}`);
  return line.trim();
}

describe('bitbound claim --symbols', () => {
  it('lists every measured symbol with level, unit and description', async () => {
    const run = await runClaim(['--symbols']);
    for (const symbol of MEASURED_SYMBOLS) {
      const line = run.stdout.split('\n').find((entry) => entry.startsWith(`${symbol.name} `));
      expect(line, symbol.name).toBeDefined();
      expect(line).toContain(` ${symbol.level} `);
      expect(line).toContain(symbol.unit);
      expect(line).toContain(symbol.description);
    }
  });
});

describe('bitbound claim --expr', () => {
  it('prints a shrunk counterexample whose replay gives the same numbers', async () => {
    const search = await runClaim(['--expr', 'lambda_min_H0 >= lambda_H / 2', ...SMALL_DATA, '--seed', '3']);
    expect(search.exitCode).toBe(1);
    expect(search.stdout).toContain('verdict: violated');
    const failure = lineStartingWith(search.stdout, 's1 fails');
    expect(failure).toMatch(/^s1 fails: lhs -?[0-9.e-]+, rhs [0-9.e-]+, margin -[0-9.e-]+$/);
    const parameters = lineStartingWith(search.stdout, 'parameters:');

    const replayLine = lineStartingWith(search.stdout, 'replay:').slice('replay: '.length);
    const words = splitShellWords(replayLine);
    expect(words.slice(0, 2)).toEqual(['bitbound', 'claim']);
    expect(words).toContain('--replay');
    const replay = await runClaim(words.slice(2));
    expect(replay.exitCode).toBe(1);
    expect(lineStartingWith(replay.stdout, 's1 fails')).toBe(failure);
    expect(lineStartingWith(replay.stdout, 'parameters:')).toBe(parameters);
  });

  it('prints the evidence of a claim that holds', async () => {
    const run = await runClaim(['--expr', 'dev_max_H0 <= 2 * kappa^2', ...SMALL_DATA, '--runs', '15']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('bounds: fast-check search, seed 0: 15 runs');
    expect(run.stdout).toMatch(/worst \(smallest\) margin [0-9.]+ at m = \d+, seed = \d+, data = synthetic:sine:d=\d:n=\d+:seed=0:noise=0, kappa = 1/);
    expect(run.stdout).toContain('tightest looseness RHS / LHS');
    expect(run.stdout).toContain('verdict: holds');
  });

  it('decides a claim with delta by Clopper-Pearson', async () => {
    const run = await runClaim(['--expr', 'dev_max_H0 <= 0', '--delta', '0.1', ...SMALL_DATA, '--batch', '10']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('bounds: 10 trials, 10 failing, in 1 batch');
    expect(run.stdout).toContain('stopped because the verdict settled');
    expect(run.stdout).toContain('verdict: refuted');
    expect(lineStartingWith(run.stdout, 'replay:')).toContain('--delta 0.1');
  });

  it('prints JSON with --json', async () => {
    const run = await runClaim(['--expr', 'dev_max_H0 <= 2', ...SMALL_DATA, '--runs', '5', '--json']);
    const result = JSON.parse(run.stdout);
    expect(result.verdict).toBe('holds');
    expect(result.bounds.kind).toBe('search');
    expect(result.bounds.runs).toBe(5);
  });

  it('fits a declared exponent', async () => {
    const run = await runClaim([
      '--expr', 'slope_dev < 0',
      '--exponent', 'slope_dev:dev_max_H0',
      '--rate-target', 'slope_dev=-0.5',
      '--dataset', 'synthetic:sine:d=4:n=12',
      '--widths', '16..4096',
      '--grid-widths', '3',
      '--replicates', '200',
    ]);
    expect(run.stdout).toContain('rates: fitted on widths 16, 256, 4096 x seeds 0..3');
    expect(run.stdout).toMatch(/slope_dev = -0\.\d+ \[-?[0-9.]+, -?[0-9.]+\] \(slope of log dev_max_H0 against log m/);
    expect(run.stdout).toContain('s1: slope_dev < 0: consistent');
  });
});

describe('bitbound claim FILE', () => {
  let directory: string;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-claim-'));
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('runs an example claim file', async () => {
    const run = await runClaim([path.join(EXAMPLES, 'sign-kernel-lambda-min.json'), '--runs', '20']);
    expect(run.stdout).toContain('claim sign-kernel-lambda-min: lambda_min of the sign kernel stays above lambda_S / 2 once m >= 4 n^2');
    expect(run.stdout).toContain('hypothesis: m >= 4 * n^2');
    expect(run.exitCode).toBe(0);
  });

  it('replays a file claim by its path', async () => {
    const file = path.join(directory, 'false.json');
    fs.writeFileSync(file, JSON.stringify({ id: 'false', title: 'false', statement: 'dev_max_H0 <= 0', parameters: { dataset: 'synthetic:sine:d=4:n=12', width: [8, 64] } }));
    const run = await runClaim([file]);
    const replayLine = lineStartingWith(run.stdout, 'replay:');
    expect(replayLine).toBe(`replay: bitbound claim ${shellQuote(file)} --replay ${replayLine.split('--replay ')[1]}`);
  });

  it('rejects parameter flags with a file', async () => {
    await expect(runClaim([path.join(EXAMPLES, 'sign-kernel-lambda-min.json'), '--widths', '8..16'])).rejects.toThrow(/--widths: applies to --expr only/);
  });

  it('rejects both a file and --expr', async () => {
    await expect(runClaim([path.join(EXAMPLES, 'sign-kernel-lambda-min.json'), '--expr', 'm >= 1'])).rejects.toThrow(InvalidInputError);
    await expect(runClaim([])).rejects.toThrow(/give either a claim FILE or --expr/);
  });
});

describe('bitbound claim symbolic tools', () => {
  const deviation = 'n * kappa^2 * sqrt(log(n*(n+1)/delta)/(2*m))';

  it('prints LaTeX', async () => {
    const run = await runClaim(['--expr', 'lambda_min_S0 >= lambda_S / 2', '--latex']);
    expect(run.stdout).toContain('expr: ');
    expect(run.stdout).toContain('\\lambda_{\\min}(S(0))');
    expect(run.stdout).toContain('\\ge');
  });

  it('prints LaTeX that KaTeX renders', async () => {
    // A product with a plain symbol must not run into the command: "2\cdotm" is the
    // undefined TeX command \cdotm.
    const run = await runClaim(['--expr', 'dev_max_H0 <= 1 / sqrt(2 * m)', '--latex']);
    const latex = run.stdout.trim().slice('expr: '.length);
    expect(latex).not.toMatch(/\\cdot[A-Za-z]/);
    expect(() => katex.renderToString(latex, { throwOnError: true })).not.toThrow();
  });

  it('differentiates in m', async () => {
    const run = await runClaim(['--expr', deviation, '--derivative', 'm']);
    expect(run.stdout).toContain(`d/dm of expr (${deviation}):`);
    expect(run.stdout).toContain('LaTeX: ');
  });

  it('solves for the width at which the deviation reaches lambda / 4', async () => {
    // n kappa^2 sqrt(L / (2 m)) = target with L = log(n (n + 1) / delta) gives
    // m = n^2 kappa^4 L / (2 target^2). With n = 100, kappa = 1, delta = 0.1, target = 0.02:
    const n = 100;
    const target = 0.08 / 4;
    const expected = (n * n * Math.log((n * (n + 1)) / 0.1)) / (2 * target * target);
    const run = await runClaim(['--expr', deviation, '--solve', 'm', '--target', 'lambda_H/4', '--at', 'n=100,delta=0.1,kappa=1,lambda_H=0.08']);
    const value = Number(/ m = ([0-9.e+]+) /.exec(run.stdout)?.[1]);
    expect(Math.abs(value - expected)).toBeLessThanOrEqual(SOLVE_RELATIVE_TOLERANCE * expected);
  });

  it('solves a statement where its margin reaches 0', async () => {
    // 1 / sqrt(m) <= 0.1 becomes tight at m = 100.
    const run = await runClaim(['--expr', '1 / sqrt(m) <= 0.1', '--solve', 'm']);
    const value = Number(/ m = ([0-9.e+]+) /.exec(run.stdout)?.[1]);
    expect(Math.abs(value - 100)).toBeLessThanOrEqual(SOLVE_RELATIVE_TOLERANCE * 100);
  });

  it('certifies that the deviation decreases in m', async () => {
    const run = await runClaim(['--expr', deviation, '--certify', '--of', 'derivative:m', '--box', 'm=10..1e6,n=2..1000,delta=1e-6..0.5,kappa=1', '--sign', 'negative']);
    expect(run.stdout).toContain('certify d/dm of the expr is negative');
    expect(run.stdout).toContain('  certified: interval arithmetic proves it on every sub-box');
    expect(run.exitCode).toBe(0);
  });

  it('prints a counterexample point and exits with 1', async () => {
    const run = await runClaim(['--expr', '1 / sqrt(m) <= 0.1', '--certify', '--box', 'm=10..1e6']);
    expect(run.stdout).toMatch(/counterexample: at m = [0-9.e+]+ the value is -[0-9.e-]+/);
    expect(run.exitCode).toBe(1);
  });

  it('certifies the same margin at a sufficient depth', async () => {
    const run = await runClaim(['--expr', 'm^2 + 1.01 >= 2 * m', '--certify', '--box', 'm=0..2', '--depth', '20']);
    expect(run.stdout).toContain('  certified:');
    expect(run.exitCode).toBe(0);
  });

  it('says undecided, not certified, at a shallow depth', async () => {
    // The margin m^2 + 1.01 - 2 m = (m - 1)^2 + 0.01 is positive, but interval arithmetic
    // treats the two m as independent: on a box of half-width h around 1 its lower bound is
    // 0.01 - 4 h + h^2, which needs h < 0.0025, about 10 bisections of [0, 2]. Depth 3 leaves
    // boxes unproved, and no midpoint is negative.
    const run = await runClaim(['--expr', 'm^2 + 1.01 >= 2 * m', '--certify', '--box', 'm=0..2', '--depth', '3']);
    expect(run.stdout).toContain('undecided: NOT certified.');
    expect(run.stdout).not.toContain('  certified:');
    expect(run.exitCode).toBe(1);
  });

  it('certifies a statement whose margin reaches exactly 0', async () => {
    // NOTE: fails while interval subtraction widens exact results outward by one ulp: 1 - 1
    // encloses as [-5e-324, 5e-324], so the margin max(m, 1) - 1 on m < 1 never has a lower
    // bound >= 0. Directed rounding of an exact result leaves it unchanged, which certifies
    // each sub-box at once.
    const run = await runClaim(['--expr', 'max(m, 1) >= 1', '--certify', '--box', 'm=0..2']);
    expect(run.stdout).toContain('  certified:');
    expect(run.exitCode).toBe(0);
  });

  it('requires a sign for an expression', async () => {
    await expect(runClaim(['--expr', deviation, '--certify', '--box', 'm=10..1e6,n=2..1000,delta=1e-6..0.5,kappa=1'])).rejects.toThrow(/--sign: is missing/);
  });

  it('names a close symbol for a typo', async () => {
    await expect(runClaim(['--expr', deviation, '--derivative', 'kapa'])).rejects.toThrow(/did you mean kappa/);
  });
});

describe('bitbound claim errors', () => {
  /** Expressions that try to reach mathjs internals, JavaScript prototypes or new functions. */
  const HOSTILE_EXPRESSIONS = [
    'import({}, {override: true}) <= 1',
    'evaluate("1 + 1") <= 1',
    'createUnit("foo") <= 1',
    'parse("1") <= 1',
    'm.constructor <= 1',
    'm["constructor"] <= 1',
    'constructor <= 1',
    '__proto__ <= 1',
    'sqrt.constructor("return process")() <= 1',
    '[].constructor <= 1',
    'f(x) = x',
    'm = 1',
  ];

  for (const expression of HOSTILE_EXPRESSIONS) {
    it(`rejects ${expression}`, async () => {
      const run = await runProgram(['--expr', expression]);
      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.startsWith('bitbound: error: --expr: ')).toBe(true);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('rejects hostile expressions in the symbolic tools', async () => {
    for (const expression of ['import({}, {})', 'f(x) = x', 'm.constructor']) {
      const run = await runProgram(['--expr', expression, '--latex']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('exits with 2 for an unknown symbol, naming close matches', async () => {
    const run = await runProgram(['--expr', 'lambda_min_H >= 0']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('bitbound: error: --expr: unknown symbol "lambda_min_H" at character 1; did you mean lambda_min_H0, lambda_max_H, lambda_min_S0? run bitbound claim --symbols for every measured symbol\n');
  });

  it('exits with 2 for malformed JSON with its position', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-claim-json-'));
    try {
      const file = path.join(directory, 'broken.json');
      fs.writeFileSync(file, '{\n  "id": "x",\n  "title": "t"\n  "statement": "m >= 1"\n}\n');
      const run = await runProgram([file]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toBe(`bitbound: error: ${file}: is not valid JSON: expected "," or "}" after a property value, found "\\"" at line 4, column 3\n`);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('exits with 2 for a reversed width range', async () => {
    const run = await runProgram(['--expr', 'm >= 1', '--widths', '64..16']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('bitbound: error: --widths: has MIN 64 > MAX 16; write 16..64\n');
  });

  it('exits with 1 through the program for a violated claim', async () => {
    const run = await runProgram(['--expr', 'dev_max_H0 <= 0', ...SMALL_DATA]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('verdict: violated');
  });
});

describe('shellQuote', () => {
  it('quotes only when needed', () => {
    expect(shellQuote('--widths')).toBe('--widths');
    expect(shellQuote('16..1024')).toBe('16..1024');
    expect(shellQuote('m >= 1')).toBe("'m >= 1'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(splitShellWords(`a ${shellQuote("it's x")} b`)).toEqual(['a', "it's x", 'b']);
  });
});
