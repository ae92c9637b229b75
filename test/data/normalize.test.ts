import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { finalizeDataset, type FinalizeOptions, type RawDataset } from '../../src/data/normalize.js';

/** Entries computed by a few float64 operations agree with hand-derived values to this many ulps of 1. */
const ENTRY_TOLERANCE = 1e-14;

function raw(rows: number[][], targets: number[]): RawDataset {
  return { name: 'test', source: 'inline', rows, targets, cleaning: [] };
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

function rowOf(inputs: Float64Array, dimension: number, row: number): number[] {
  return Array.from(inputs.subarray(row * dimension, (row + 1) * dimension));
}

describe('finalizeDataset', () => {
  describe('standardization and normalization', () => {
    it('matches hand-computed z-scores then unit rows', () => {
      // Columns [1, 0, 2] and [0, 1, 2] both have mean 1 and population std sqrt(2/3) = s,
      // so the z-scored rows are (0, -1/s), (-1/s, 0), (1/s, 1/s).
      const dataset = finalizeDataset(raw([[1, 0], [0, 1], [2, 2]], [0.5, -0.5, 0]));
      const half = Math.SQRT1_2;
      const expected = [[0, -1], [-1, 0], [half, half]];
      expected.forEach((row, index) => {
        const actual = rowOf(dataset.inputs, 2, index);
        expect(Math.abs(actual[0]! - row[0]!)).toBeLessThanOrEqual(ENTRY_TOLERANCE);
        expect(Math.abs(actual[1]! - row[1]!)).toBeLessThanOrEqual(ENTRY_TOLERANCE);
      });
      expect(Array.from(dataset.targets)).toEqual([0.5, -0.5, 0]);
      expect(dataset.size).toBe(3);
      expect(dataset.dimension).toBe(2);
    });

    it('records standardization and normalization sentences', () => {
      const dataset = finalizeDataset(raw([[1, 0], [0, 1], [2, 2]], [0, 0, 0]));
      expect(dataset.cleaning).toEqual([
        'standardized 2 input columns to mean 0 and standard deviation 1 (population standard deviation)',
        'scaled each of 3 rows to unit Euclidean norm',
      ]);
    });

    it('only normalizes rows when standardize is off', () => {
      const dataset = finalizeDataset(raw([[3, 4], [0, 2]], [0, 0]), { standardize: false });
      expect(rowOf(dataset.inputs, 2, 0)).toEqual([0.6, 0.8]);
      expect(rowOf(dataset.inputs, 2, 1)).toEqual([0, 1]);
    });

    it('keeps a constant column when standardize is off', () => {
      const dataset = finalizeDataset(raw([[1, 1], [1, 2], [1, 3]], [0, 0, 0]), { standardize: false });
      expect(dataset.inputs[0]).toBeCloseTo(Math.SQRT1_2, 15);
      expect(dataset.size).toBe(3);
    });

    it('normalizes values near the float64 limits without overflow', () => {
      const dataset = finalizeDataset(raw([[1e300, 1e300], [1e-300, 0]], [0, 0]), { standardize: false });
      expect(rowOf(dataset.inputs, 2, 0)[0]).toBeCloseTo(Math.SQRT1_2, 15);
      expect(rowOf(dataset.inputs, 2, 1)).toEqual([1, 0]);
    });

    it('normalizes a subnormal row to full precision', () => {
      // 5e-324 is the smallest subnormal; its row norm 5e-324 * sqrt(2) is not representable.
      const dataset = finalizeDataset(raw([[0, -5e-324, -5e-324], [1, 0, 0]], [0, 0]), { standardize: false });
      const row = rowOf(dataset.inputs, 3, 0);
      expect(row[0]).toBe(0);
      expect(Math.abs(row[1]! + Math.SQRT1_2)).toBeLessThanOrEqual(ENTRY_TOLERANCE);
      expect(Math.abs(row[2]! + Math.SQRT1_2)).toBeLessThanOrEqual(ENTRY_TOLERANCE);
    });

    it('rejects a constant column naming it', () => {
      const error = catchError(() =>
        finalizeDataset(raw([[0.1, 1], [0.1, 2], [0.1, 3]], [0, 0, 0]), { columnNames: ['a', 'b'] }),
      );
      expect(error.field).toBe('test column a');
      expect(error.message).toContain('constant');
      expect(error.message).toContain('standardize: false');
    });

    it('rejects a zero row naming it', () => {
      const error = catchError(() =>
        finalizeDataset(raw([[1, 0], [0, 0], [0, 1]], [0, 0, 0]), { standardize: false }),
      );
      expect(error.field).toBe('test row 2');
      expect(error.message).toContain('zero');
    });

    it('rejects a row at the column means after standardization', () => {
      // Row 2 equals the means (1, 1), so its z-scores are 0.
      const error = catchError(() => finalizeDataset(raw([[0, 0], [1, 1], [2, 0], [1, 3]], [0, 0, 0, 0])));
      expect(error.field).toBe('test row 2');
      expect(error.message).toContain('after standardization');
    });

    it('rejects non-finite values naming row and column', () => {
      const error = catchError(() => finalizeDataset(raw([[1, 0], [0, Number.NaN]], [0, 0])));
      expect(error.field).toBe('test row 2, column x2');
    });
  });

  describe('duplicate rows', () => {
    const rows = [[1, 0], [0, 1], [1, 0], [1, 1]];
    const targets = [0.5, 0, -0.5, 0];
    const dropOptions: FinalizeOptions = { standardize: false, redundantRows: 'drop' };

    it('drops the later duplicate and keeps order', () => {
      const dataset = finalizeDataset(raw(rows, targets), dropOptions);
      expect(dataset.size).toBe(3);
      expect(Array.from(dataset.targets)).toEqual([0.5, 0, 0]);
      expect(rowOf(dataset.inputs, 2, 2)[0]).toBeCloseTo(Math.SQRT1_2, 15);
    });

    it('names the dropped row and the row kept', () => {
      const dataset = finalizeDataset(raw(rows, targets), dropOptions);
      expect(dataset.cleaning).toContain('dropped 1 duplicate row: row 3 (same input as row 1)');
    });

    it('reports a duplicate with a different target', () => {
      const dataset = finalizeDataset(raw(rows, targets), dropOptions);
      expect(dataset.cleaning).toContain(
        'row 3 has the same input as row 1 but target -0.500000 instead of 0.500000; kept row 1',
      );
    });

    it('rejects duplicates by default naming both rows', () => {
      const error = catchError(() => finalizeDataset(raw(rows, targets), { standardize: false }));
      expect(error.field).toBe('test row 1 and row 3');
      expect(error.message).toContain('duplicates');
      expect(error.message).toContain("redundantRows: 'drop'");
    });

    it('treats scalar multiples as parallel', () => {
      const error = catchError(() =>
        finalizeDataset(raw([[1, 3], [0, 1], [2, 6]], [0, 0, 0]), { standardize: false }),
      );
      expect(error.field).toBe('test row 1 and row 3');
      expect(error.message).toContain('are parallel after normalization');
    });
  });

  describe('parallel rows', () => {
    // cos((1, 0), (1, 1e-6)) = 1 / sqrt(1 + 1e-12), about 1 - 5e-13: parallel, not identical.
    const nearParallel = [[1, 0], [0, 1], [1, 1e-6]];

    it('rejects a parallel pair naming both rows', () => {
      const error = catchError(() =>
        finalizeDataset(raw(nearParallel, [0, 0, 0]), { standardize: false, location: 'data.csv' }),
      );
      expect(error.field).toBe('data.csv row 1 and row 3');
      expect(error.message).toContain('are parallel');
    });

    it('rejects an anti-parallel pair naming both rows', () => {
      const error = catchError(() =>
        finalizeDataset(raw([[1, 0], [0, 1], [-1, 1e-6]], [0, 0, 0]), { standardize: false }),
      );
      expect(error.field).toBe('test row 1 and row 3');
      expect(error.message).toContain('anti-parallel');
    });

    it('drops a parallel row and records it', () => {
      const dataset = finalizeDataset(raw(nearParallel, [0, 0, 0]), { standardize: false, redundantRows: 'drop' });
      expect(dataset.size).toBe(2);
      expect(dataset.cleaning).toContain(
        'dropped 1 row parallel or anti-parallel to an earlier row (|cos| >= 1 - 1e-9): row 3 (parallel to row 1)',
      );
    });

    it('keeps both ends of a chain', () => {
      // Angles 0, t, 2t with t = 1e-4: 1 - cos t = 5e-9 <= 1e-8 but 1 - cos 2t = 2e-8 > 1e-8,
      // so row 2 is parallel to row 1, and row 3 only to the dropped row 2.
      const t = 1e-4;
      const chain = [[1, 0], [Math.cos(t), Math.sin(t)], [Math.cos(2 * t), Math.sin(2 * t)]];
      const dataset = finalizeDataset(raw(chain, [0, 0.5, 1]), {
        standardize: false,
        redundantRows: 'drop',
        parallelTolerance: 1e-8,
      });
      expect(dataset.size).toBe(2);
      expect(Array.from(dataset.targets)).toEqual([0, 1]);
    });

    it('accepts a pair just outside the tolerance', () => {
      // 1 - cos(1e-4) = 5e-9 > 1e-9, so these rows are distinct at the default tolerance.
      const dataset = finalizeDataset(raw([[1, 0], [Math.cos(1e-4), Math.sin(1e-4)]], [0, 0]), { standardize: false });
      expect(dataset.size).toBe(2);
    });
  });

  describe('targets', () => {
    const rows = [[1, 0], [0, 1], [1, 1]];

    it('rejects |y| above the bound naming row and column', () => {
      const error = catchError(() => finalizeDataset(raw(rows, [0, 1.5, 0]), { standardize: false, targetName: 'label' }));
      expect(error.field).toBe('test row 2, column label');
      expect(error.message).toContain("scaleTargets: 'maxabs'");
    });

    it('accepts |y| equal to the bound', () => {
      const dataset = finalizeDataset(raw(rows, [-1, 1, 0]), { standardize: false });
      expect(Array.from(dataset.targets)).toEqual([-1, 1, 0]);
    });

    it('honours a custom targetBound', () => {
      const dataset = finalizeDataset(raw(rows, [-3, 1, 0]), { standardize: false, targetBound: 3 });
      expect(Array.from(dataset.targets)).toEqual([-3, 1, 0]);
    });

    it('rescales by max |y| with maxabs', () => {
      const dataset = finalizeDataset(raw(rows, [2, -4, 1]), { standardize: false, scaleTargets: 'maxabs' });
      expect(Array.from(dataset.targets)).toEqual([0.5, -1, 0.25]);
      expect(dataset.cleaning).toContain('scaled targets by 1 / 4 so that max |y| = 1');
    });

    it('maps min..max onto [-1, 1] with minmax', () => {
      // (y - min) / (max - min) * 2 - 1 with min -4, max 2: 2 -> 1, -4 -> -1, 1 -> 2/3.
      const dataset = finalizeDataset(raw(rows, [2, -4, 1]), { standardize: false, scaleTargets: 'minmax' });
      expect(dataset.targets[0]).toBe(1);
      expect(dataset.targets[1]).toBe(-1);
      expect(Math.abs(dataset.targets[2]! - 2 / 3)).toBeLessThanOrEqual(ENTRY_TOLERANCE);
    });

    it('rejects minmax on constant targets', () => {
      const error = catchError(() => finalizeDataset(raw(rows, [2, 2, 2]), { standardize: false, scaleTargets: 'minmax' }));
      expect(error.message).toContain('constant');
    });
  });

  describe('option validation', () => {
    const rows = [[1, 0], [0, 1]];

    it.each([
      ['parallelTolerance', { parallelTolerance: 1 }],
      ['parallelTolerance', { parallelTolerance: -0.1 }],
      ['targetBound', { targetBound: 0 }],
      ['scaleTargets', { scaleTargets: 'log' as never }],
      ['redundantRows', { redundantRows: 'keep' as never }],
    ])('rejects invalid %s', (field, options) => {
      const error = catchError(() => finalizeDataset(raw(rows, [0, 0]), options as FinalizeOptions));
      expect(error.field).toBe(field);
    });

    it('rejects an empty row list', () => {
      const error = catchError(() => finalizeDataset(raw([], [])));
      expect(error.message).toContain('no data rows');
    });

    it('rejects ragged rows naming the row', () => {
      const error = catchError(() => finalizeDataset(raw([[1, 0], [0, 1, 2]], [0, 0])));
      expect(error.field).toBe('test row 2');
    });

    it('rejects a target count mismatch', () => {
      const error = catchError(() => finalizeDataset(raw(rows, [0])));
      expect(error.message).toContain('1 target for 2 rows');
    });
  });
});
