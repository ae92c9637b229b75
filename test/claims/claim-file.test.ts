import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  DEFAULT_CLAIM_PARAMETERS,
  INITIALIZATION_CELL_SYMBOLS,
  claimFromDefinition,
  closeMatches,
  formatDatasetSpace,
  loadClaimFile,
  locateJsonError,
  parseClaimFileText,
  parseDatasetSpace,
  parseRangeText,
  parseUserStatement,
  requiredMeasurementLevel,
} from '../../src/claims/claim-file.js';
import { MEASURED_SYMBOLS } from '../../src/claims/symbols.js';
import { measureCell } from '../../src/check/cell.js';
import { DEFAULT_CHECK_OPTIONS } from '../../src/check/options.js';
import { prepareRun } from '../../src/check/run-context.js';
import { loadDataset } from '../../src/data/index.js';
import { InvalidInputError } from '../../src/errors.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/claims/', import.meta.url));
const ORIGIN = { name: 'claim.json' };

/** Runs `action`, expects an InvalidInputError and returns it. */
function captureInputError(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, but nothing was thrown');
}

const MINIMAL = { id: 'entry-bound', title: 'entries stay close', statement: 'dev_max_H0 <= 1 / sqrt(m)' };

describe('claimFromDefinition', () => {
  it('converts a minimal claim with default parameters', () => {
    const { claim, space } = claimFromDefinition(MINIMAL, ORIGIN);
    expect(claim.id).toBe('entry-bound');
    expect(claim.label).toBe('entry-bound');
    expect(claim.summary).toBe('entries stay close');
    expect(claim.statements).toEqual([{ kind: 'bound', id: 's1', expression: 'dev_max_H0 <= 1 / sqrt(m)', description: 'dev_max_H0 <= 1 / sqrt(m)' }]);
    expect(claim.delta).toBeUndefined();
    expect(claim.hypotheses).toEqual([]);
    expect(claim.measurement).toBe('initialization');
    expect(claim.provenance).toEqual({ kind: 'derived', note: 'claim written by the user' });
    expect(space).toEqual({
      width: { min: DEFAULT_CLAIM_PARAMETERS.width[0], max: DEFAULT_CLAIM_PARAMETERS.width[1] },
      seed: { min: DEFAULT_CLAIM_PARAMETERS.seeds[0], max: DEFAULT_CLAIM_PARAMETERS.seeds[1] },
      dataset: { kind: 'fixed', spec: 'iris' },
      kappa: { min: 1, max: 1 },
      eta: null,
      steps: DEFAULT_CLAIM_PARAMETERS.steps,
      quantizer: 'sign',
    });
  });

  it('reads every parameter and statement form', () => {
    const { claim, space } = claimFromDefinition(
      {
        id: 'full',
        title: 'all fields',
        summary: 'a paragraph',
        source: 'a paper',
        statement: [
          'residual_sq_fp <= residual_sq_fp_0',
          { expression: 'slope_a < 0', id: 'shrinks', description: 'a shrinks' },
          { exponent: 'slope_a', target: -0.5 },
          { overlap: ['slope_a', 'slope_b'], id: 'alike' },
        ],
        hypotheses: ['m >= n', { expression: 'kappa <= 2', description: 'small scale' }],
        delta: 0.05,
        exponents: [
          { symbol: 'slope_a', of: 'traj_dev_fp' },
          { symbol: 'slope_b', of: 'traj_dev_1bit', against: 'N', description: 'b' },
        ],
        parameters: { width: [32, 512], seeds: 7, dataset: { synthetic: 'teacher', n: [10, 30], d: 6, seed: 2, noise: 0.1 }, kappa: [0.5, 2], eta: 0.1, steps: 12, quantizer: 'ternary' },
      },
      ORIGIN,
    );
    expect(claim.statements.map((statement) => [statement.kind, statement.id])).toEqual([
      ['bound', 's1'],
      ['rate', 'shrinks'],
      ['rate-target', 's3'],
      ['overlap', 'alike'],
    ]);
    expect(claim.statements[2]).toMatchObject({ exponent: 'slope_a', target: -0.5 });
    expect(claim.hypotheses).toEqual([
      { expression: 'm >= n', description: 'm >= n' },
      { expression: 'kappa <= 2', description: 'small scale' },
    ]);
    expect(claim.exponents).toEqual([
      { symbol: 'slope_a', of: 'traj_dev_fp', against: 'm', description: 'exponent of traj_dev_fp in m' },
      { symbol: 'slope_b', of: 'traj_dev_1bit', against: 'N', description: 'b' },
    ]);
    expect(claim.delta).toBe(0.05);
    expect(claim.measurement).toBe('training');
    expect(claim.provenance).toEqual({ kind: 'source-unverified', reference: 'a paper' });
    expect(space).toEqual({
      width: { min: 32, max: 512 },
      seed: { min: 7, max: 7 },
      dataset: { kind: 'synthetic', target: 'teacher', size: { min: 10, max: 30 }, dimension: { min: 6, max: 6 }, seed: 2, noise: 0.1 },
      kappa: { min: 0.5, max: 2 },
      eta: 0.1,
      steps: 12,
      quantizer: 'ternary',
    });
  });

  it('measures at initialization only for initialization symbols', () => {
    expect(claimFromDefinition({ ...MINIMAL, statement: 'lambda_min_S0 >= lambda_S / 2' }, ORIGIN).claim.measurement).toBe('initialization');
    expect(claimFromDefinition({ ...MINIMAL, statement: 'gap_mean <= 1' }, ORIGIN).claim.measurement).toBe('training');
    expect(claimFromDefinition({ ...MINIMAL, hypotheses: ['loss_fp_final <= 1'] }, ORIGIN).claim.measurement).toBe('training');
    const exponentOfInit = claimFromDefinition({ ...MINIMAL, statement: 'slope < 0', exponents: [{ symbol: 'slope', of: 'dev_max_H0' }] }, ORIGIN);
    expect(exponentOfInit.claim.measurement).toBe('initialization');
  });

  it('rejects an unknown field with a close match', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, statment: 'x' }, ORIGIN));
    expect(error.field).toBe('claim.json: statment');
    expect(error.message).toContain('unknown field "statment"; did you mean "statement"?');
    const nested = captureInputError(() => claimFromDefinition({ ...MINIMAL, parameters: { widths: [1, 2] } }, ORIGIN));
    expect(nested.field).toBe('claim.json: parameters.widths');
    expect(nested.message).toContain('did you mean "width"?');
  });

  it('rejects missing required fields', () => {
    for (const missing of ['id', 'title', 'statement'] as const) {
      const definition: Record<string, unknown> = { ...MINIMAL };
      delete definition[missing];
      const error = captureInputError(() => claimFromDefinition(definition, ORIGIN));
      expect(error.field).toBe(`claim.json: ${missing}`);
      expect(error.message).toContain('is missing');
    }
  });

  it('rejects wrong types with the type found', () => {
    const delta = captureInputError(() => claimFromDefinition({ ...MINIMAL, delta: '0.1' }, ORIGIN));
    expect(delta.field).toBe('claim.json: delta');
    expect(delta.message).toContain('must be a finite number, got a string ("0.1")');
    const width = captureInputError(() => claimFromDefinition({ ...MINIMAL, parameters: { width: [16.5, 64] } }, ORIGIN));
    expect(width.field).toBe('claim.json: parameters.width[0]');
    expect(width.message).toContain('must be an integer from 1 to 16777216');
    const root = captureInputError(() => claimFromDefinition([MINIMAL], ORIGIN));
    expect(root.message).toBe('claim.json: must be a JSON object, got an array');
  });

  it('rejects a range with min above max', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, parameters: { width: [4096, 64] } }, ORIGIN));
    expect(error.field).toBe('claim.json: parameters.width');
    expect(error.message).toContain('has min 4096 > max 64; write [64, 4096]');
    const size = captureInputError(() => claimFromDefinition({ ...MINIMAL, parameters: { dataset: { synthetic: 'sine', n: [40, 20] } } }, ORIGIN));
    expect(size.field).toBe('claim.json: parameters.dataset.n');
  });

  it('rejects a delta outside (0, 1)', () => {
    for (const delta of [0, 1, -0.1, 2]) {
      const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, delta }, ORIGIN));
      expect(error.message).toContain('must be a probability strictly between 0 and 1');
    }
  });

  it('names an unknown symbol and its close matches', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, statement: 'lambda_min_H >= 0' }, ORIGIN));
    expect(error.field).toBe('claim.json: statement');
    expect(error.message).toContain('unknown symbol "lambda_min_H" at character 1');
    expect(error.message).toContain('did you mean lambda_min_H0');
    expect(error.message).toContain('bitbound claim --symbols');
    expect(error.message.length).toBeLessThan(300);
  });

  it('rejects delta in a statement of a claim without delta', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, statement: 'dev_max_H0 <= log(1 / delta)' }, ORIGIN));
    expect(error.message).toContain('uses delta, but the claim sets no probability');
  });

  it('rejects a rate statement that mixes per-cell symbols', () => {
    const error = captureInputError(() =>
      claimFromDefinition({ ...MINIMAL, statement: 'slope_a <= m', exponents: [{ symbol: 'slope_a', of: 'gap_mean' }] }, ORIGIN),
    );
    expect(error.message).toContain('mixes the exponent slope_a with m');
  });

  it('rejects an undeclared exponent with a close match', () => {
    const error = captureInputError(() =>
      claimFromDefinition({ ...MINIMAL, statement: { exponent: 'slope_gaps', target: -0.5 }, exponents: [{ symbol: 'slope_gap', of: 'gap_mean' }] }, ORIGIN),
    );
    expect(error.field).toBe('claim.json: statement.exponent');
    expect(error.message).toContain('(did you mean slope_gap?)');
  });

  it('rejects exponents of non-cell symbols and reused names', () => {
    const stepSymbol = captureInputError(() => claimFromDefinition({ ...MINIMAL, exponents: [{ symbol: 'slope', of: 'R_fp' }] }, ORIGIN));
    expect(stepSymbol.field).toBe('claim.json: exponents[0].of');
    expect(stepSymbol.message).toContain('is not a cell-level measured symbol');
    const reused = captureInputError(() => claimFromDefinition({ ...MINIMAL, exponents: [{ symbol: 'gap_mean', of: 'gap_mean' }] }, ORIGIN));
    expect(reused.message).toContain('is already a measured symbol');
    const prototypeName = captureInputError(() => claimFromDefinition({ ...MINIMAL, exponents: [{ symbol: 'constructor', of: 'gap_mean' }] }, ORIGIN));
    expect(prototypeName.field).toBe('claim.json: exponents[0].symbol');
  });

  it('rejects a hypothesis over step symbols', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, hypotheses: ['R_fp <= 1'] }, ORIGIN));
    expect(error.field).toBe('claim.json: hypotheses[0]');
    expect(error.message).toContain('a step-level symbol');
  });

  it('rejects repeated statement ids and an empty list', () => {
    const repeated = captureInputError(() =>
      claimFromDefinition({ ...MINIMAL, statement: [{ expression: 'm >= 1', id: 'a' }, { expression: 'm >= 2', id: 'a' }] }, ORIGIN),
    );
    expect(repeated.message).toContain('is used twice');
    const empty = captureInputError(() => claimFromDefinition({ ...MINIMAL, statement: [] }, ORIGIN));
    expect(empty.message).toContain('is an empty list');
  });

  it('rejects expressions outside the grammar', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, statement: 'import({}, {}) <= 1' }, ORIGIN));
    expect(error.field).toBe('claim.json: statement');
    expect(error.message).not.toContain('\n');
  });

  it('renames fields through fieldName', () => {
    const error = captureInputError(() => claimFromDefinition({ ...MINIMAL, parameters: { width: [64, 16] } }, { name: '--expr', fieldName: (jsonPath) => (jsonPath === 'parameters.width' ? '--widths' : jsonPath) }));
    expect(error.field).toBe('--widths');
  });
});

describe('parseClaimFileText', () => {
  it('reports the line and column of a syntax error', () => {
    const text = '{\n  "id": "a",\n  "title": x\n}';
    const error = captureInputError(() => parseClaimFileText(text, 'claim.json'));
    // "x" is character 26 (0-based); line 3 starts at character 15, so column 26 - 15 + 1 = 12.
    expect(error.message).toBe('claim.json: is not valid JSON: expected a value, found "x" at line 3, column 12');
  });

  it('reports a trailing comma and an unterminated file', () => {
    expect(captureInputError(() => parseClaimFileText('{"a": 1,}', 'f.json')).message).toBe(
      'f.json: is not valid JSON: expected a double-quoted property name, found "}" at line 1, column 9',
    );
    expect(captureInputError(() => parseClaimFileText('{"a": ', 'f.json')).message).toBe(
      'f.json: is not valid JSON: expected a value, found the end of the input at line 1, column 7',
    );
  });

  it('parses a valid file', () => {
    const loaded = parseClaimFileText(JSON.stringify(MINIMAL), 'claim.json');
    expect(loaded.claim.id).toBe('entry-bound');
  });

  it('accepts a byte order mark', () => {
    const loaded = parseClaimFileText(`\ufeff${JSON.stringify(MINIMAL)}`, 'claim.json');
    expect(loaded.claim.id).toBe('entry-bound');
  });
});

describe('locateJsonError', () => {
  it('accepts valid JSON', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '0', '"s"']) {
      expect(locateJsonError(text)).toBeNull();
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  it('finds the first error offset', () => {
    expect(locateJsonError('[1 2]')).toEqual({ position: 3, reason: 'expected "," or "]" after an array entry, found "2"' });
    expect(locateJsonError('{"a" 1}')).toEqual({ position: 5, reason: 'expected ":" after the property name, found "1"' });
    expect(locateJsonError('"abc')).toEqual({ position: 4, reason: 'unterminated string' });
    expect(locateJsonError('{} x')).toEqual({ position: 3, reason: 'unexpected "x" after the end of the JSON value' });
    expect(locateJsonError('[01]')).toEqual({ position: 2, reason: 'expected "," or "]" after an array entry, found "1"' });
  });
});

describe('loadClaimFile', () => {
  let directory: string;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-claim-file-'));
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('names a missing file', () => {
    const missing = path.join(directory, 'none.json');
    const error = captureInputError(() => loadClaimFile(missing));
    expect(error.message).toContain('was not found or cannot be read');
  });

  it('prefixes errors with the path', () => {
    const file = path.join(directory, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...MINIMAL, delta: 3 }));
    expect(captureInputError(() => loadClaimFile(file)).field).toBe(`${file}: delta`);
  });

  it('loads every example claim', () => {
    const files = fs.readdirSync(EXAMPLES).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const name of files) {
      const { claim } = loadClaimFile(path.join(EXAMPLES, name));
      expect(claim.id).toBe(name.replace(/\.json$/, ''));
    }
  });
});

describe('requiredMeasurementLevel', () => {
  it('lists exactly the cell symbols of an initialization cell', () => {
    const options = { ...DEFAULT_CHECK_OPTIONS, dataset: 'synthetic:sine:d=4:n=12', steps: 3, checkpoints: 1 };
    const context = prepareRun(loadDataset(options.dataset), options);
    const initialization = measureCell(context, 8, 0, 'initialization');
    expect(Object.keys(initialization.values).sort()).toEqual([...INITIALIZATION_CELL_SYMBOLS].sort());

    const training = measureCell(context, 8, 0, 'training');
    const cellSymbols = MEASURED_SYMBOLS.filter((symbol) => symbol.level === 'cell').map((symbol) => symbol.name);
    for (const name of cellSymbols) expect(training.values[name], name).toBeTypeOf('number');
  });

  it('chooses the level by symbol', () => {
    expect(requiredMeasurementLevel(['n', 'lambda_S', 'lambda_min_S0', 'm'])).toBe('initialization');
    expect(requiredMeasurementLevel(['slope_custom'])).toBe('initialization');
    expect(requiredMeasurementLevel(['m', 'gap_mean'])).toBe('training');
    expect(requiredMeasurementLevel(['t'])).toBe('training');
  });
});

describe('parseRangeText', () => {
  it('reads ranges and single values', () => {
    expect(parseRangeText('64..4096', 'w', { integer: true, min: 1, max: 1e9 })).toEqual({ min: 64, max: 4096 });
    expect(parseRangeText(' 1e-6 .. 0.5 ', 'd', { integer: false, min: 0, max: 1 })).toEqual({ min: 1e-6, max: 0.5 });
    expect(parseRangeText('3', 'x', { integer: true, min: 0, max: 10 })).toEqual({ min: 3, max: 3 });
  });

  it('rejects malformed ranges', () => {
    expect(captureInputError(() => parseRangeText('9..3', 'w', { integer: true, min: 0, max: 10 })).message).toContain('has MIN 9 > MAX 3');
    expect(captureInputError(() => parseRangeText('1..2..3', 'w', { integer: true, min: 0, max: 10 })).message).toContain('expected MIN..MAX');
    expect(captureInputError(() => parseRangeText('1.5', 'w', { integer: true, min: 0, max: 10 })).message).toContain('expected integers');
    expect(captureInputError(() => parseRangeText('0..20', 'w', { integer: true, min: 1, max: 10 })).message).toContain('from 1 to 10');
    expect(captureInputError(() => parseRangeText('a..2', 'w', { integer: false, min: 0, max: 10 })).message).toContain('"a" is not a finite number');
  });
});

describe('parseDatasetSpace', () => {
  it('reads synthetic ranges and round-trips them', () => {
    const space = parseDatasetSpace('synthetic:sine:d=8..10:n=20..60', '--dataset');
    expect(space).toEqual({ kind: 'synthetic', target: 'sine', size: { min: 20, max: 60 }, dimension: { min: 8, max: 10 }, seed: 0, noise: 0 });
    expect(formatDatasetSpace(space)).toBe('synthetic:sine:d=8..10:n=20..60:seed=0:noise=0');
    expect(parseDatasetSpace(formatDatasetSpace(space), '--dataset')).toEqual(space);
  });

  it('keeps other specs as given', () => {
    expect(parseDatasetSpace('iris', '--dataset')).toEqual({ kind: 'fixed', spec: 'iris' });
    expect(parseDatasetSpace('data/runs.csv', '--dataset')).toEqual({ kind: 'fixed', spec: 'data/runs.csv' });
  });

  it('rejects malformed synthetic specs', () => {
    expect(captureInputError(() => parseDatasetSpace('synthetic:cosine', '--dataset')).message).toContain('unknown synthetic target "cosine"');
    expect(captureInputError(() => parseDatasetSpace('synthetic:sine:k=3', '--dataset')).message).toContain('is not key=value');
    expect(captureInputError(() => parseDatasetSpace('synthetic:sine:seed=1..2', '--dataset')).message).toContain('only d and n may be ranges');
    expect(captureInputError(() => parseDatasetSpace('synthetic:sine:n=2', '--dataset')).message).toContain('from 4 to');
  });
});

describe('closeMatches', () => {
  it('ranks by edit distance', () => {
    // lambda_min_H -> lambda_min_H0 is one insertion; lambda_min_S0 needs two edits.
    expect(closeMatches('lambda_min_H', ['lambda_min_S0', 'lambda_min_H0', 'kappa'])).toEqual(['lambda_min_H0', 'lambda_min_S0']);
    expect(closeMatches('kapa', ['kappa', 'eta', 'delta'])).toEqual(['kappa']);
    expect(closeMatches('zzz', ['kappa', 'eta'])).toEqual([]);
  });
});

describe('parseUserStatement', () => {
  it('parses a statement over measured symbols', () => {
    const parsed = parseUserStatement('dev_max_H0 <= 1 / sqrt(m)', ['dev_max_H0', 'm'], 'field');
    expect(parsed.relation).toBe('<=');
    expect(parsed.lhs.evaluate({ dev_max_H0: 0.25, m: 16 })).toBe(0.25);
    expect(parsed.rhs.evaluate({ dev_max_H0: 0.25, m: 16 })).toBe(0.25);
  });
});
