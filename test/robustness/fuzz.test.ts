/**
 * Fuzzing with fast-check. Random and malformed command lines, CSV files and expressions
 * are thrown at the program. Whatever the input, it must end with exit status 0, 1 or 2,
 * print no stack trace and no internal error, and finish within a time bound. The parsers
 * are fuzzed in-process with many more runs.
 *
 * A failure prints fast-check's seed and the shrunk input that reproduces it.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStatement, parseExpression, parseStatement } from '../../src/claims/expression.js';
import { parseShardSpec } from '../../src/check/shard.js';
import { parseChoiceOption, parseIntegerListOption, parseIntegerOption, parseNumberOption } from '../../src/cli/parse.js';
import { parseDataCsv } from '../../src/data/csv.js';
import { InvalidInputError } from '../../src/errors.js';
import { makeTemporaryDirectory, runCli, STACK_TRACE_PATTERN, type CliRun } from '../cli/spawn.js';

/** Spawned runs per CLI property; each takes about a second. */
const CLI_RUNS = 30;
const KERNEL_RUNS = 6;
const CSV_RUNS = 10;

/** In-process runs per parser property. */
const PARSER_RUNS = 2000;

/**
 * Time bound of one fuzzed run. Every generated grid is tiny (at most 3 widths up to 64,
 * 3 seeds, 12 steps on at most 150 examples), so a run beyond this is a hang.
 */
const RUN_BOUND_MS = 60_000;

/** A fixed seed keeps the suite deterministic; set BITBOUND_FUZZ_SEED to explore other inputs. */
const FUZZ_SEED = Number(process.env.BITBOUND_FUZZ_SEED ?? 20241104);

/** Values that should be rejected by most numeric options. A process argument cannot hold a NUL byte, so only the parsers get one. */
const MALFORMED = ['', ' ', 'abc', '-1', '0', '1.5', '1e400', 'NaN', 'Infinity', '-Infinity', '0x10', '1,2', '--', '٣', '\u00a0'];
const MALFORMED_IN_PROCESS = [...MALFORMED, '\u0000', '1\u00002'];

/** Option values: valid ones kept tiny, so no generated run is long. */
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  '--dataset': ['synthetic:linear:d=3:n=12', 'synthetic:sine:d=2:n=8', 'synthetic:xor:d=4:n=16', 'synthetic:linear:d=3:n=3', 'synthetic:foo', 'synthetic:linear:d=0', 'iris', 'nope.csv', 'data.csv', 'ragged.csv', 'folder.csv', 'file.txt'],
  '--data-size': ['4', '8', '200'],
  '--test-fraction': ['0.2', '0.5', '0.9', '1', '0'],
  '--data-seed': ['0', '7', '2147483648'],
  '--widths': ['8,16', '8,16,32', '2^3..2^5', '16', '8,8', '0,8', '16777216,8', '2^5..2^3', '8,,16'],
  '--seeds': ['1', '2', '3', '100001'],
  '--init-seeds': ['1', '2', '3'],
  '--first-seed': ['0', '5', '2147483649'],
  '--kappa': ['1', '0.5', '1e-300', '1e300', '0'],
  '--sigma': ['1', '2', '1e-300', '0'],
  '--eta': ['0.01', '1000', '1e-300', '0'],
  '--steps': ['3', '12', '0', '1000001'],
  '--quantizer': ['sign', 'sign-layer', 'sign-neuron', 'sign-centred', 'ternary', '4bit', '9bit', 'binary'],
  '--activation-bits': ['2', '8', '1', '17'],
  '--checkpoints': ['1', '2', '0', '1001'],
  '--confidence': ['0.95', '0.5', '0.99', '1'],
  '--replicates': ['100', '99', '200'],
  '--sstar': ['auto', 'exact', 'monte-carlo', 'fast'],
  '--sstar-samples': ['2', '64', '1'],
  '--memory-limit': ['4', '0.000001', '0'],
  '--workers': ['1', '2', '0', '257'],
  '--shard': ['1/2', '2/2', '0/2', '3/2', '1/0', 'a/b'],
  '--progress': ['never', 'always', 'sometimes'],
};

const FLAGS = ['--json', '--no-output', '--resume', '--keep-checkpoint', '--no-checkpoint'];
const CLAIM_NAMES = ['K1', 'k2', 'K3', 'C1', 'a1', 'G1', 'S1', 'kernel-init-concentration', 'loss-scaling', 'K9', 'all', ''];

/** One option with a value from its list or a malformed one. */
const optionArbitrary: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom(...Object.keys(OPTION_VALUES)).chain((option) =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...OPTION_VALUES[option]) }, { weight: 1, arbitrary: fc.constantFrom(...MALFORMED) }).map((value) => [option, value]),
  ),
  fc.constantFrom(...FLAGS).map((flag) => [flag]),
  fc.constantFrom('--foo', '-x', '--widths=8,16', '--', 'extra').map((junk) => [junk]),
);

/** A command line: the command, some claims and options, on top of a tiny default grid. */
const checkArgumentsArbitrary = fc
  .record({
    claims: fc.array(fc.constantFrom(...CLAIM_NAMES), { maxLength: 2 }),
    options: fc.array(optionArbitrary, { maxLength: 5 }),
  })
  .map(({ claims, options }) => [
    'check',
    ...claims,
    ...['--dataset', 'synthetic:linear:d=3:n=12', '--widths', '8,16', '--seeds', '2', '--init-seeds', '2', '--steps', '3', '--replicates', '100', '--workers', '1', '--progress', 'never'],
    ...options.flat(),
  ]);

const kernelArgumentsArbitrary = fc.array(
  fc.oneof(
    fc.constantFrom('--width', '--seed', '--kappa', '--data-size', '--sstar-samples').chain((option) => fc.constantFrom('8', '64', '0', '-3', 'abc', '1e9', '').map((value) => [option, value])),
    fc.constantFrom('synthetic:linear:d=3:n=12', 'synthetic:linear:d=30:n=12', 'nope.csv', 'data.csv').map((value) => ['--dataset', value]),
    fc.constantFrom('sign', 'ternary', 'x').map((value) => ['--quantizer', value]),
    fc.constantFrom('exact', 'monte-carlo', 'auto', 'x').map((value) => ['--sstar', value]),
  ),
  { maxLength: 4 },
).map((options) => ['kernel', '--dataset', 'synthetic:linear:d=3:n=12', '--width', '8', '--sstar-samples', '64', ...options.flat()]);

/** CSV cells: numbers, special values, blanks, quotes and stray separators. */
const cellArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }).map((value) => String(value)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'NaN', 'Infinity', '-inf', 'abc', '"1,5"', '"', '1e400', '0x1F', '1.2.3', ' 7 ', '"2"') },
);

/** CSV text: a header and rows of cells, sometimes ragged, with LF or CRLF line ends. */
const csvArbitrary = fc
  .record({
    header: fc.oneof(fc.constant(['x1', 'x2', 'y']), fc.constant(['a', 'b', 'c', 'y']), fc.constant(['x', 'x', 'y']), fc.constant(['only'])),
    rows: fc.array(fc.array(cellArbitrary, { minLength: 1, maxLength: 5 }), { maxLength: 12 }),
    lineEnd: fc.constantFrom('\n', '\r\n'),
    targetScale: fc.constantFrom(0.1, 1, 5),
  })
  .map(({ header, rows, lineEnd, targetScale }) =>
    [header.join(','), ...rows.map((row) => row.map((cell, index) => (index === row.length - 1 && /^-?\d/.test(cell) ? String(Number(cell) * targetScale / 10) : cell)).join(','))].join(lineEnd),
  );

/** Asserts that a run ended cleanly, whatever its input. */
function expectCleanEnd(run: CliRun): void {
  expect(run.timedOut).toBe(false);
  expect([0, 1, 2]).toContain(run.code);
  expect(run.stderr).not.toMatch(STACK_TRACE_PATTERN);
  expect(run.stderr).not.toContain('internal error');
  if (run.code === 2 && !run.stderr.includes('interrupted')) {
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('bitbound: error:'));
    expect(errors).toHaveLength(1);
  }
}

describe('CLI fuzzing', () => {
  let directory: string;

  beforeAll(() => {
    directory = makeTemporaryDirectory('fuzz');
    fs.writeFileSync(path.join(directory, 'data.csv'), 'x1,x2,y\n1,2,0.1\n3,1,0.2\n-1,2,-0.3\n2,-2,0.4\n0.5,3,0.5\n-2,-1,-0.6\n');
    fs.writeFileSync(path.join(directory, 'ragged.csv'), 'x1,x2,y\n1,2\n');
    fs.writeFileSync(path.join(directory, 'file.txt'), 'x1,x2,y\n1,2,0.1\n');
    fs.mkdirSync(path.join(directory, 'folder.csv'));
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('ends every random check command line with status 0, 1 or 2', async () => {
    await fc.assert(
      fc.asyncProperty(checkArgumentsArbitrary, async (args) => {
        expectCleanEnd(await runCli(args, { cwd: directory, timeoutMs: RUN_BOUND_MS }));
      }),
      { numRuns: CLI_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
  }, CLI_RUNS * RUN_BOUND_MS);

  it('ends every random kernel command line with status 0 or 2', async () => {
    await fc.assert(
      fc.asyncProperty(kernelArgumentsArbitrary, async (args) => {
        const run = await runCli(args, { cwd: directory, timeoutMs: RUN_BOUND_MS });
        expectCleanEnd(run);
        expect(run.code).not.toBe(1);
      }),
      { numRuns: KERNEL_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
  }, KERNEL_RUNS * RUN_BOUND_MS);

  it('ends every random CSV data file with status 0, 1 or 2', async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(csvArbitrary, async (text) => {
        const file = path.join(directory, `fuzz-${counter++}.csv`);
        fs.writeFileSync(file, text);
        const run = await runCli(['check', 'K1', '--dataset', file, '--widths', '8,16', '--init-seeds', '2', '--no-output', '--workers', '1'], {
          cwd: directory,
          timeoutMs: RUN_BOUND_MS,
        });
        expectCleanEnd(run);
      }),
      { numRuns: CSV_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
  }, CSV_RUNS * RUN_BOUND_MS);
});

describe('parser fuzzing', () => {
  /** Runs `parse` and returns true when it accepted, false when it threw InvalidInputError; anything else fails. */
  function acceptsOrRejects(parse: () => unknown): boolean {
    try {
      parse();
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).not.toContain('\n');
      return false;
    }
  }

  it('option parsers return valid values or InvalidInputError', () => {
    const integer = parseIntegerOption('--seeds');
    const number = parseNumberOption('--eta');
    const list = parseIntegerListOption('--widths');
    const choice = parseChoiceOption('--progress', ['auto', 'always', 'never'] as const);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...MALFORMED_IN_PROCESS), fc.integer().map(String), fc.double().map(String)), (text) => {
        if (acceptsOrRejects(() => integer(text))) expect(Number.isSafeInteger(integer(text))).toBe(true);
        if (acceptsOrRejects(() => number(text))) expect(Number.isFinite(number(text))).toBe(true);
        if (acceptsOrRejects(() => list(text))) for (const value of list(text)) expect(Number.isSafeInteger(value)).toBe(true);
        if (acceptsOrRejects(() => parseShardSpec(text))) {
          const shard = parseShardSpec(text);
          expect(shard.index).toBeGreaterThanOrEqual(1);
          expect(shard.index).toBeLessThanOrEqual(shard.count);
        }
        acceptsOrRejects(() => choice(text));
      }),
      { numRuns: PARSER_RUNS, seed: FUZZ_SEED },
    );
  });

  it('the CSV parser returns a unit-norm data set or InvalidInputError', () => {
    fc.assert(
      fc.property(csvArbitrary, (text) => {
        let dataset;
        try {
          dataset = parseDataCsv(text, { path: 'fuzz.csv' });
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          return;
        }
        for (let row = 0; row < dataset.size; row++) {
          const norm = Math.hypot(...dataset.inputs.subarray(row * dataset.dimension, (row + 1) * dataset.dimension));
          expect(norm).toBeCloseTo(1, 12);
        }
        for (const target of dataset.targets) expect(Math.abs(target)).toBeLessThanOrEqual(1);
      }),
      { numRuns: PARSER_RUNS, seed: FUZZ_SEED },
    );
  });

  /** Expression tokens, valid and invalid, so the fuzz reaches both the grammar and its rejections. */
  const TOKENS = ['m', 'n', 'delta', 'kappa', 'x', 'pi', 'e', '2', '0.5', '1e-300', '1e308', '0', '(', ')', '+', '-', '*', '/', '^', ',', 'sqrt(', 'log(', 'exp(', 'max(', 'min(', 'abs(', '<=', '>=', '<', '>', '=', '[', ']', '{', '}', '.', ';', '"s"', 'import(', 'evaluate(', 'x.y', 'f(x)=1', '?', ':', '!', '%', 'true', 'NaN', ' '];
  const expressionArbitrary = fc.oneof(fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }).map((tokens) => tokens.join(' ')), fc.string({ maxLength: 60 }));
  const SYMBOLS = ['m', 'n', 'delta', 'kappa', 'x'];

  it('the expression parser parses or rejects, and evaluation never throws', () => {
    fc.assert(
      fc.property(expressionArbitrary, fc.array(fc.double(), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }), (text, values) => {
        const scope = Object.fromEntries(SYMBOLS.map((symbol, index) => [symbol, values[index]]));
        if (acceptsOrRejects(() => parseStatement(text, SYMBOLS))) {
          const result = evaluateStatement(parseStatement(text, SYMBOLS), scope);
          expect(typeof result.holds).toBe('boolean');
          if (result.nonFinite.length > 0) expect(result.holds).toBe(false);
        }
        if (acceptsOrRejects(() => parseExpression(text, SYMBOLS))) {
          expect(typeof parseExpression(text, SYMBOLS).evaluate(scope)).toBe('number');
        }
      }),
      { numRuns: PARSER_RUNS, seed: FUZZ_SEED },
    );
  });
});
