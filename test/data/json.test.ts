import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { parseDataCsv } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataJson, parseDataJson } from '../../src/data/json.js';
import type { TableLoadOptions } from '../../src/data/table.js';

const PATH = 'data.json';

const VALID_ROWS = [
  { x1: 1, x2: 0, y: 0.5 },
  { x1: 0, x2: 1, y: -0.5 },
  { x1: 2, x2: 3, y: 0.25 },
  { x1: 5, x2: 1, y: 0 },
];

function parse(value: unknown, options: TableLoadOptions = {}): Dataset {
  return parseDataJson(typeof value === 'string' ? value : JSON.stringify(value), { path: PATH, ...options });
}

function catchError(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, but nothing was thrown');
}

const temporaryFolder = mkdtempSync(join(tmpdir(), 'bitbound-json-'));
afterAll(() => rmSync(temporaryFolder, { recursive: true, force: true }));

describe('parseDataJson', () => {
  describe('valid files', () => {
    it('matches the same table read as CSV', () => {
      const fromJson = parse(VALID_ROWS);
      const fromCsv = parseDataCsv('x1,x2,y\n1,0,0.5\n0,1,-0.5\n2,3,0.25\n5,1,0\n', { path: 'data.csv' });
      expect(Array.from(fromJson.inputs)).toEqual(Array.from(fromCsv.inputs));
      expect(Array.from(fromJson.targets)).toEqual(Array.from(fromCsv.targets));
      expect(fromJson.source).toBe('JSON file data.json');
    });

    it('accepts numeric strings', () => {
      const rows = VALID_ROWS.map((row) => ({ ...row, x1: String(row.x1) }));
      expect(parse(rows).size).toBe(4);
    });

    it('takes column order from the first object', () => {
      const rows = VALID_ROWS.map(({ x1, x2, y }) => ({ y, x2, x1 }));
      // Without a y key the last column would be the target; here y is first and still chosen.
      expect(Array.from(parse(rows).targets)).toEqual([0.5, -0.5, 0.25, 0]);
    });
  });

  describe('validation errors', () => {
    it('rejects an empty file', () => {
      expect(catchError(() => parse('  ')).message).toContain('file is empty');
    });

    it('rejects invalid JSON', () => {
      expect(catchError(() => parse('[{"x1": 1,')).message).toContain('not valid JSON');
    });

    it('rejects a top-level object', () => {
      expect(catchError(() => parse({ x1: 1, y: 0 })).message).toContain('JSON array of objects');
    });

    it('rejects an empty array', () => {
      expect(catchError(() => parse([])).message).toContain('array is empty');
    });

    it('rejects an element that is not an object', () => {
      const error = catchError(() => parse([VALID_ROWS[0], [1, 2, 3]]));
      expect(error.field).toBe('data.json row 2 (array index 1)');
      expect(error.message).toContain('an array');
    });

    it('rejects a missing key naming row and column', () => {
      const error = catchError(() => parse([VALID_ROWS[0], { x1: 0, y: 0 }]));
      expect(error.field).toBe('data.json row 2 (array index 1), column x2');
      expect(error.message).toContain('empty or missing');
    });

    it('rejects null as missing', () => {
      expect(catchError(() => parse([VALID_ROWS[0], { x1: 0, x2: null, y: 0 }])).message).toContain('missing');
    });

    it('rejects an extra key', () => {
      const error = catchError(() => parse([VALID_ROWS[0], { x1: 0, x2: 1, x3: 2, y: 0 }]));
      expect(error.field).toBe('data.json row 2 (array index 1), column x3');
    });

    it('rejects a boolean cell', () => {
      const error = catchError(() => parse([VALID_ROWS[0], { x1: true, x2: 1, y: 0 }]));
      expect(error.field).toBe('data.json row 2 (array index 1), column x1');
      expect(error.message).toContain('not a number');
    });

    it('rejects a "NaN" string', () => {
      expect(catchError(() => parse([{ x1: 'NaN', x2: 1, y: 0 }])).message).toContain('NaN or infinite');
    });

    it('rejects parallel rows naming both', () => {
      const error = catchError(() => parse([...VALID_ROWS, { x1: 1, x2: 0, y: 0 }]));
      expect(error.field).toBe('data.json row 1 (array index 0) and row 5 (array index 4)');
    });

    it('rejects targets above 1', () => {
      const error = catchError(() => parse([...VALID_ROWS.slice(0, 3), { x1: 5, x2: 1, y: 3 }]));
      expect(error.field).toBe('data.json row 4 (array index 3), column y');
      expect(error.message).toContain("scaleTargets: 'maxabs'");
    });
  });
});

describe('loadDataJson', () => {
  it('loads a file with a byte order mark', () => {
    const path = join(temporaryFolder, 'bom.json');
    writeFileSync(path, `\ufeff${JSON.stringify(VALID_ROWS)}`);
    const dataset = loadDataJson(path);
    expect(dataset.size).toBe(4);
    expect(dataset.name).toBe('bom');
  });

  it('checks maxBytes before reading', () => {
    const path = join(temporaryFolder, 'large.json');
    writeFileSync(path, JSON.stringify(VALID_ROWS));
    expect(catchError(() => loadDataJson(path, { maxBytes: 8 })).message).toContain('larger than maxBytes = 8');
  });

  it('rejects a missing file', () => {
    expect(catchError(() => loadDataJson(join(temporaryFolder, 'missing.json'))).message).toContain('file not found');
  });
});
