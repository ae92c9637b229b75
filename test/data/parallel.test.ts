import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dotRows, findParallelRows } from '../../src/data/parallel.js';

/** Greedy reference in index order: row j is redundant when an earlier kept row i has |cos| >= 1 - tol. */
function bruteForcePartners(inputs: Float64Array, size: number, dimension: number, tolerance: number): number[] {
  const partner = new Array<number>(size).fill(-1);
  for (let row = 0; row < size; row++) {
    for (let earlier = 0; earlier < row; earlier++) {
      if (partner[earlier] !== -1) continue;
      if (Math.abs(dotRows(inputs, dimension, earlier, row)) >= 1 - tolerance) {
        partner[row] = earlier;
        break;
      }
    }
  }
  return partner;
}

function unitRows(rows: number[][]): Float64Array {
  const dimension = rows[0]!.length;
  const inputs = new Float64Array(rows.length * dimension);
  rows.forEach((row, index) => {
    const norm = Math.hypot(...row);
    row.forEach((value, k) => {
      inputs[index * dimension + k] = value / norm;
    });
  });
  return inputs;
}

describe('findParallelRows', () => {
  it('finds no partner among orthogonal rows', () => {
    const scan = findParallelRows(unitRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), 3, 3, 1e-9);
    expect(Array.from(scan.partner)).toEqual([-1, -1, -1]);
    expect(scan.firstRedundant).toBe(-1);
  });

  it('pairs an anti-parallel row with its earlier row', () => {
    const scan = findParallelRows(unitRows([[1, 2], [3, 1], [-1, -2]]), 3, 2, 1e-9);
    expect(Array.from(scan.partner)).toEqual([-1, -1, 0]);
    expect(scan.cosine[2]).toBeCloseTo(-1, 14);
    expect(scan.firstRedundant).toBe(2);
  });

  it('picks the smallest kept partner', () => {
    // Rows 2 and 3 are both parallel to row 1; row 3 must name row 1, not the dropped row 2.
    const scan = findParallelRows(unitRows([[1, 1], [0, 1], [2, 2], [3, 3]]), 4, 2, 1e-9);
    expect(Array.from(scan.partner)).toEqual([-1, -1, 0, 0]);
  });

  it('stops at the first redundant row when asked', () => {
    const scan = findParallelRows(unitRows([[1, 1], [2, 2], [0, 1], [0, 3]]), 4, 2, 1e-9, true);
    expect(scan.firstRedundant).toBe(1);
    expect(scan.partner[3]).toBe(-1);
  });

  it('agrees with the brute-force search', () => {
    // Rows are drawn from a few directions with tiny perturbations, so parallel pairs, chains
    // and near misses all occur. The tolerance takes values on both sides of those perturbations.
    const direction = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 });
    const perturbation = fc.constantFrom(0, 1e-7, 1e-5, 1e-3);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(direction, perturbation, fc.constantFrom(1, -1, 2)), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(1e-12, 1e-9, 1e-6),
        (specs, tolerance) => {
          const rows = specs
            .map(([base, epsilon, scale]) => base.map((value, k) => scale * (value + (k === 0 ? epsilon : 0))))
            .filter((row) => row.some((value) => value !== 0));
          fc.pre(rows.length > 0);
          const inputs = unitRows(rows);
          const scan = findParallelRows(inputs, rows.length, 3, tolerance);
          expect(Array.from(scan.partner)).toEqual(bruteForcePartners(inputs, rows.length, 3, tolerance));
        },
      ),
      { numRuns: 300 },
    );
  });
});
