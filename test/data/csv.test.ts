import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { loadDataCsv, parseCsvRecords, parseDataCsv } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { TargetScaling } from '../../src/data/normalize.js';
import type { TableLoadOptions } from '../../src/data/table.js';

/** Row norms after scaling by the norm are 1 to within a few float64 roundings. */
const NORM_TOLERANCE = 1e-14;

const PATH = 'data.csv';

/** Three rows in general position: after standardization no two rows are parallel. */
const VALID_CSV = 'x1,x2,y\n1,0,0.5\n0,1,-0.5\n2,3,0.25\n5,1,0\n';

function parse(text: string, options: TableLoadOptions = {}): Dataset {
  return parseDataCsv(text, { path: PATH, ...options });
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

function maxNormError(dataset: Dataset): number {
  let worst = 0;
  for (let row = 0; row < dataset.size; row++) {
    let sumSquares = 0;
    for (let k = 0; k < dataset.dimension; k++) sumSquares += dataset.inputs[row * dataset.dimension + k]! ** 2;
    worst = Math.max(worst, Math.abs(Math.sqrt(sumSquares) - 1));
  }
  return worst;
}

const temporaryFolder = mkdtempSync(join(tmpdir(), 'bitbound-csv-'));
afterAll(() => rmSync(temporaryFolder, { recursive: true, force: true }));

describe('parseCsvRecords', () => {
  it('splits LF, CRLF and CR rows', () => {
    expect(parseCsvRecords('a,b\n1,2\r\n3,4\r5,6', PATH)).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
  });

  it('reads quoted cells with commas, quotes and line breaks', () => {
    expect(parseCsvRecords('"a,b","say ""hi""","two\nlines"\n', PATH)).toEqual([['a,b', 'say "hi"', 'two\nlines']]);
  });

  it('drops a trailing newline and trailing blank lines', () => {
    expect(parseCsvRecords('a,b\n1,2\n\n\n', PATH)).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty cells', () => {
    expect(parseCsvRecords('a,,b\n,,\n', PATH)).toEqual([['a', '', 'b'], ['', '', '']]);
  });

  it('strips a byte order mark', () => {
    expect(parseCsvRecords('\ufeffa,b\n', PATH)).toEqual([['a', 'b']]);
  });

  it('rejects an unclosed quote naming row and column', () => {
    const error = catchError(() => parseCsvRecords('a,b\n1,"2\n', PATH));
    expect(error.field).toBe('data.csv row 2, column 2');
    expect(error.message).toContain('never closed');
  });

  it('rejects text after a closing quote', () => {
    const error = catchError(() => parseCsvRecords('a,b\n"1"x,2\n', PATH));
    expect(error.field).toBe('data.csv row 2, column 1');
  });
});

describe('parseDataCsv', () => {
  describe('valid files', () => {
    it('loads inputs and targets', () => {
      const dataset = parse(VALID_CSV);
      expect(dataset.size).toBe(4);
      expect(dataset.dimension).toBe(2);
      expect(Array.from(dataset.targets)).toEqual([0.5, -0.5, 0.25, 0]);
      expect(maxNormError(dataset)).toBeLessThanOrEqual(NORM_TOLERANCE);
    });

    it('names the set after the file', () => {
      const dataset = parseDataCsv(VALID_CSV, { path: 'runs/my-data.csv' });
      expect(dataset.name).toBe('my-data');
      expect(dataset.source).toBe('CSV file runs/my-data.csv');
      expect(dataset.cleaning[0]).toBe('read 4 rows from runs/my-data.csv; inputs x1, x2; target y');
    });

    it('gives the same data for CRLF, quotes and spaces', () => {
      const variant = 'x1, "x2" ,y\r\n 1 ,"0",0.5\r\n0,1,-0.5\r\n"2",3,0.25\r\n5,1,0';
      const reference = parse(VALID_CSV);
      const dataset = parse(variant);
      expect(Array.from(dataset.inputs)).toEqual(Array.from(reference.inputs));
      expect(Array.from(dataset.targets)).toEqual(Array.from(reference.targets));
    });

    it('uses the last column as target without a y column', () => {
      const dataset = parse('a,b,label\n1,0,0.5\n0,1,-0.5\n2,3,0.25\n5,1,0\n');
      expect(Array.from(dataset.targets)).toEqual([0.5, -0.5, 0.25, 0]);
    });

    it('prefers a y column over the last column', () => {
      const dataset = parse('y,a,b\n0.5,1,0\n-0.5,0,1\n0.25,2,3\n0,5,1\n');
      expect(Array.from(dataset.targets)).toEqual([0.5, -0.5, 0.25, 0]);
    });

    it('honours targetColumn and inputColumns', () => {
      const dataset = parse('a,b,c,t\n1,0,9,0.5\n0,1,9,-0.5\n2,3,9,0.25\n5,1,9,0\n', {
        targetColumn: 't',
        inputColumns: ['b', 'a'],
      });
      expect(dataset.dimension).toBe(2);
      expect(dataset.cleaning[0]).toBe('read 4 rows from data.csv; inputs b, a; target t');
    });

    it('ignores cells of unselected columns', () => {
      const dataset = parse('a,b,note,y\n1,0,first,0.5\n0,1,,-0.5\n2,3,x,0.25\n5,1,?,0\n', { inputColumns: ['a', 'b'] });
      expect(dataset.size).toBe(4);
    });

    it('rescales targets when asked', () => {
      const dataset = parse('x1,x2,y\n1,0,2\n0,1,-4\n2,3,1\n5,1,0\n', { scaleTargets: 'maxabs' });
      expect(Array.from(dataset.targets)).toEqual([0.5, -1, 0.25, 0]);
    });

    it('drops parallel rows when asked', () => {
      const dataset = parse('x1,x2,y\n1,0,0.5\n0,1,-0.5\n2,3,0.25\n1,0,0\n5,2,0\n', { redundantRows: 'drop' });
      expect(dataset.size).toBe(4);
      expect(dataset.cleaning).toContain('dropped 1 duplicate row: row 5 (same input as row 2)');
    });
  });

  describe('validation errors', () => {
    it('rejects an empty file', () => {
      const error = catchError(() => parse(''));
      expect(error.field).toBe('data.csv');
      expect(error.message).toContain('file is empty');
    });

    it('rejects a file without a header row', () => {
      const error = catchError(() => parse('0.5,0.5,1\n0.1,-0.2,0\n'));
      expect(error.field).toBe('data.csv row 1');
      expect(error.message).toContain('is all numbers, so the file has no header row');
    });

    it('rejects a file of blank lines as empty', () => {
      expect(catchError(() => parse('\n\r\n\n')).message).toContain('file is empty');
    });

    it('rejects a header without rows', () => {
      const error = catchError(() => parse('x1,x2,y\n'));
      expect(error.field).toBe('data.csv');
      expect(error.message).toContain('no data rows');
    });

    it('rejects a row with fewer cells', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n0,1\n'));
      expect(error.field).toBe('data.csv row 3, column y');
      expect(error.message).toContain('2 cells, fewer than the 3 columns');
    });

    it('rejects a row with more cells', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n0,1,0,7\n'));
      expect(error.field).toBe('data.csv row 3, column 4');
      expect(error.message).toContain('4 cells, more than the 3 columns');
      expect(error.message).toContain('quote cells that contain commas');
    });

    it('rejects a blank line between rows', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n\n0,1,0\n'));
      expect(error.field).toBe('data.csv row 3');
      expect(error.message).toContain('blank');
    });

    it('rejects a non-numeric cell', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n0,abc,0\n'));
      expect(error.field).toBe('data.csv row 3, column x2');
      expect(error.message).toContain('"abc" is not a number');
    });

    it('rejects a non-numeric target', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,setosa\n'));
      expect(error.field).toBe('data.csv row 2, column y');
    });

    it('rejects hexadecimal numbers', () => {
      expect(catchError(() => parse('x1,x2,y\n0x10,0,0.5\n')).field).toBe('data.csv row 2, column x1');
    });

    it('rejects an empty cell', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n0,,0\n'));
      expect(error.field).toBe('data.csv row 3, column x2');
      expect(error.message).toContain('empty or missing');
    });

    it('rejects a quoted empty cell', () => {
      expect(catchError(() => parse('x1,x2,y\n1,"",0.5\n')).field).toBe('data.csv row 2, column x2');
    });

    it.each(['NaN', 'nan', 'Infinity', '-Infinity', 'inf'])('rejects %s', (cell) => {
      const error = catchError(() => parse(`x1,x2,y\n1,0,0.5\n0,${cell},0\n`));
      expect(error.field).toBe('data.csv row 3, column x2');
      expect(error.message).toContain('NaN or infinite');
    });

    it('rejects overflow to infinity', () => {
      const error = catchError(() => parse('x1,x2,y\n1,1e400,0.5\n'));
      expect(error.field).toBe('data.csv row 2, column x2');
      expect(error.message).toContain('overflows');
    });

    it('rejects duplicate column names', () => {
      const error = catchError(() => parse('x1,x2,x1,y\n1,0,2,0.5\n'));
      expect(error.field).toBe('data.csv row 1, columns 1 and 3');
      expect(error.message).toContain('"x1" appears twice');
    });

    it('rejects an empty column name', () => {
      expect(catchError(() => parse('x1,,y\n1,0,0.5\n')).field).toBe('data.csv row 1, column 2');
    });

    it('rejects a single column', () => {
      expect(catchError(() => parse('y\n0.5\n')).message).toContain('at least one input column');
    });

    it('rejects a constant input column', () => {
      const error = catchError(() => parse('x1,x2,y\n1,3,0.5\n0,3,0\n2,3,0.25\n'));
      expect(error.field).toBe('data.csv column x2');
      expect(error.message).toContain('constant');
      expect(error.message).toContain('standardize: false');
    });

    it('rejects duplicate input rows naming both', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n0,1,0\n2,3,0.25\n1,0,0\n5,1,0\n'));
      expect(error.field).toBe('data.csv row 2 and row 5');
      expect(error.message).toContain('duplicates');
    });

    it('rejects parallel input rows naming both', () => {
      // Unstandardized, (1, 2) and (2, 4) have the same direction.
      const error = catchError(() => parse('x1,x2,y\n1,2,0.5\n0,1,0\n3,1,0.25\n2,4,0\n', { standardize: false }));
      expect(error.field).toBe('data.csv row 2 and row 5');
      expect(error.message).toContain('parallel');
    });

    it('rejects targets above 1 and suggests rescaling', () => {
      const error = catchError(() => parse('x1,x2,y\n1,0,0.5\n0,1,-1.5\n2,3,0\n5,1,0\n'));
      expect(error.field).toBe('data.csv row 3, column y');
      expect(error.message).toContain("scaleTargets: 'maxabs'");
    });

    it('rejects an unknown target column listing the columns', () => {
      const error = catchError(() => parse(VALID_CSV, { targetColumn: 'z' }));
      expect(error.field).toBe('targetColumn');
      expect(error.message).toContain('"x1", "x2", "y"');
    });

    it('rejects an unknown input column', () => {
      expect(catchError(() => parse(VALID_CSV, { inputColumns: ['x1', 'x3'] })).field).toBe('inputColumns');
    });

    it('rejects the target among the inputs', () => {
      expect(catchError(() => parse(VALID_CSV, { inputColumns: ['x1', 'y'] })).message).toContain('target column');
    });

    it('rejects text larger than maxBytes', () => {
      const error = catchError(() => parse(VALID_CSV, { maxBytes: 10 }));
      expect(error.message).toContain('larger than maxBytes = 10');
    });
  });
});

describe('loadDataCsv', () => {
  it('loads a file from disk', () => {
    const path = join(temporaryFolder, 'valid.csv');
    writeFileSync(path, VALID_CSV);
    const dataset = loadDataCsv(path);
    expect(dataset.size).toBe(4);
    expect(dataset.name).toBe('valid');
  });

  it('checks maxBytes before reading', () => {
    const path = join(temporaryFolder, 'large.csv');
    writeFileSync(path, VALID_CSV);
    const error = catchError(() => loadDataCsv(path, { maxBytes: 16 }));
    expect(error.field).toBe(path);
    expect(error.value).toBe(Buffer.byteLength(VALID_CSV));
  });

  it('rejects a missing file', () => {
    const path = join(temporaryFolder, 'missing.csv');
    expect(catchError(() => loadDataCsv(path)).message).toContain('file not found');
  });

  it('rejects a directory', () => {
    expect(catchError(() => loadDataCsv(temporaryFolder)).message).toContain('not a regular file');
  });

  it('rejects an invalid maxBytes', () => {
    const path = join(temporaryFolder, 'valid.csv');
    writeFileSync(path, VALID_CSV);
    expect(catchError(() => loadDataCsv(path, { maxBytes: 0 })).field).toBe('maxBytes');
  });

  it('reports rows of files with a BOM and CRLF', () => {
    const path = join(temporaryFolder, 'windows.csv');
    writeFileSync(path, '\ufeffx1,x2,y\r\n1,0,0.5\r\n0,oops,0\r\n');
    expect(catchError(() => loadDataCsv(path)).field).toBe(`${path} row 3, column x2`);
  });
});

describe('random numeric CSVs', () => {
  // Cells mix small integers (so duplicates, parallel rows and constant columns occur), wide
  // doubles, and the invalid spellings a hand-edited file contains.
  const cell = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }).map(String) },
    { weight: 3, arbitrary: fc.double({ noNaN: false, noDefaultInfinity: false }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('', 'NaN', 'abc', '1e400', '"1,5"', ' 2 ', '-0', '.5', '1e-320') },
  );

  it('load with unit-norm rows or throw InvalidInputError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((inputCount) =>
          fc.tuple(
            fc.constant(inputCount),
            fc.array(fc.array(cell, { minLength: inputCount + 1, maxLength: inputCount + 1 }), { maxLength: 12 }),
            fc.constantFrom('\n', '\r\n'),
            fc.boolean(),
            fc.constantFrom('none', 'maxabs', 'minmax') as fc.Arbitrary<TargetScaling>,
          ),
        ),
        ([inputCount, rows, newline, standardize, scaleTargets]) => {
          const header = [...Array.from({ length: inputCount }, (_, k) => `x${k + 1}`), 'y'].join(',');
          const text = [header, ...rows.map((row) => row.join(','))].join(newline);
          let dataset: Dataset;
          try {
            dataset = parse(text, { standardize, scaleTargets });
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
            return;
          }
          expect(dataset.size).toBe(rows.length);
          expect(dataset.dimension).toBe(inputCount);
          expect(maxNormError(dataset)).toBeLessThanOrEqual(NORM_TOLERANCE);
          for (const target of dataset.targets) expect(Math.abs(target)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
