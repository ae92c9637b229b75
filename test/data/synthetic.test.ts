import { describe, expect, it } from 'vitest';
import { InvalidInputError, ResourceLimitError } from '../../src/errors.js';
import type { Dataset } from '../../src/data/dataset.js';
import { dotRows } from '../../src/data/parallel.js';
import { PARALLEL_TOLERANCE } from '../../src/data/normalize.js';
import {
  SYNTHETIC_TARGETS,
  createSyntheticDataset,
  type SyntheticDatasetOptions,
} from '../../src/data/synthetic.js';

/** Row norms after scaling by the norm are 1 to within a few float64 roundings. */
const NORM_TOLERANCE = 1e-14;

/** Identities between targets computed by a handful of float64 operations hold to this bound. */
const IDENTITY_TOLERANCE = 1e-12;

/**
 * Solving the 2 x 2 system for v amplifies rounding by its condition number, below 100 for
 * the fixed seed used here, so v and its predictions are good to 100 times IDENTITY_TOLERANCE.
 */
const LINEAR_SOLVE_TOLERANCE = 1e-10;

function maxNormError(dataset: Dataset): number {
  let worst = 0;
  for (let row = 0; row < dataset.size; row++) {
    worst = Math.max(worst, Math.abs(Math.sqrt(dotRows(dataset.inputs, dataset.dimension, row, row)) - 1));
  }
  return worst;
}

function create(overrides: Partial<SyntheticDatasetOptions>): Dataset {
  return createSyntheticDataset({ size: 64, dimension: 8, target: 'linear', seed: 1, ...overrides });
}

describe('createSyntheticDataset', () => {
  describe('inputs', () => {
    it.each(SYNTHETIC_TARGETS)('gives unit-norm rows for %s', (target) => {
      const dataset = create({ target });
      expect(dataset.size).toBe(64);
      expect(dataset.dimension).toBe(8);
      expect(dataset.inputs.length).toBe(512);
      expect(maxNormError(dataset)).toBeLessThanOrEqual(NORM_TOLERANCE);
    });

    it('is deterministic for a seed', () => {
      const first = create({ target: 'teacher', seed: 9, noise: 0.1 });
      const second = create({ target: 'teacher', seed: 9, noise: 0.1 });
      expect(Array.from(second.inputs)).toEqual(Array.from(first.inputs));
      expect(Array.from(second.targets)).toEqual(Array.from(first.targets));
    });

    it('differs between seeds', () => {
      expect(Array.from(create({ seed: 2 }).inputs)).not.toEqual(Array.from(create({ seed: 3 }).inputs));
    });

    it('shares inputs across targets and noise levels', () => {
      const reference = create({ target: 'linear' });
      for (const overrides of [{ target: 'xor' as const }, { target: 'random' as const, noise: 0.5 }]) {
        expect(Array.from(create(overrides).inputs)).toEqual(Array.from(reference.inputs));
      }
    });

    it('spreads points over all coordinates', () => {
      // Mean of x_k over uniform points on the sphere is 0 with standard deviation
      // 1 / sqrt(n d); with n = 4000, d = 4 that is 0.008, so 0.05 is a six-sigma bound.
      const dataset = create({ size: 4000, dimension: 4 });
      for (let k = 0; k < 4; k++) {
        let sum = 0;
        for (let row = 0; row < dataset.size; row++) sum += dataset.inputs[row * 4 + k]!;
        expect(Math.abs(sum / dataset.size)).toBeLessThan(0.05);
      }
    });

    it('redraws parallel points in dimension 2', () => {
      // n = 3000 uniform angles give about n^2 sqrt(2 tol) / pi, about 130, pairs within the tolerance.
      const dataset = create({ size: 3000, dimension: 2 });
      expect(dataset.size).toBe(3000);
      expect(dataset.cleaning.some((sentence) => sentence.startsWith('redrew '))).toBe(true);
      let maxAbsCosine = 0;
      for (let i = 0; i < dataset.size; i++) {
        for (let j = 0; j < i; j++) maxAbsCosine = Math.max(maxAbsCosine, Math.abs(dotRows(dataset.inputs, 2, i, j)));
      }
      expect(maxAbsCosine).toBeLessThan(1 - PARALLEL_TOLERANCE);
    });
  });

  describe('targets', () => {
    it('linear is v . x for one unit vector v', () => {
      // In d = 2, rows 0 and 1 determine v; the other rows must agree and |v| must be 1.
      const dataset = create({ size: 20, dimension: 2 });
      const [a, b, c, d] = [dataset.inputs[0]!, dataset.inputs[1]!, dataset.inputs[2]!, dataset.inputs[3]!];
      const [y0, y1] = [dataset.targets[0]!, dataset.targets[1]!];
      const determinant = a * d - b * c;
      // For unit rows the condition number is about 2 / |determinant|, so this keeps it below 100.
      expect(Math.abs(determinant)).toBeGreaterThan(0.02);
      const v = [(y0 * d - b * y1) / determinant, (a * y1 - c * y0) / determinant];
      expect(Math.abs(Math.hypot(v[0]!, v[1]!) - 1)).toBeLessThanOrEqual(LINEAR_SOLVE_TOLERANCE);
      for (let row = 2; row < dataset.size; row++) {
        const predicted = v[0]! * dataset.inputs[row * 2]! + v[1]! * dataset.inputs[row * 2 + 1]!;
        expect(Math.abs(predicted - dataset.targets[row]!)).toBeLessThanOrEqual(LINEAR_SOLVE_TOLERANCE);
      }
    });

    it('sine is sin(pi v . x) with the linear direction', () => {
      const linear = create({ target: 'linear' });
      const sine = create({ target: 'sine' });
      for (let row = 0; row < linear.size; row++) {
        expect(Math.abs(sine.targets[row]! - Math.sin(Math.PI * linear.targets[row]!))).toBeLessThanOrEqual(
          IDENTITY_TOLERANCE,
        );
      }
    });

    it('xor is the sign of x1 x2', () => {
      const dataset = create({ target: 'xor' });
      for (let row = 0; row < dataset.size; row++) {
        const product = dataset.inputs[row * 8]! * dataset.inputs[row * 8 + 1]!;
        expect(dataset.targets[row]).toBe(product >= 0 ? 1 : -1);
      }
    });

    it('teacher has max |y| exactly 1', () => {
      const dataset = create({ target: 'teacher' });
      const magnitudes = Array.from(dataset.targets, Math.abs);
      expect(Math.max(...magnitudes)).toBe(1);
      expect(new Set(dataset.targets).size).toBeGreaterThan(32);
    });

    it('random targets lie in [-1, 1) and use both signs', () => {
      const dataset = create({ target: 'random', size: 1000 });
      const targets = Array.from(dataset.targets);
      expect(Math.min(...targets)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...targets)).toBeLessThan(1);
      expect(targets.filter((value) => value < 0).length).toBeGreaterThan(400);
      expect(targets.filter((value) => value > 0).length).toBeGreaterThan(400);
    });

    it('noise keeps |y| <= 1 and records clipping', () => {
      const dataset = create({ target: 'xor', noise: 0.5 });
      for (const target of dataset.targets) expect(Math.abs(target)).toBeLessThanOrEqual(1);
      const sentence = dataset.cleaning.find((line) => line.startsWith('added Gaussian noise'));
      // About half of the xor targets (+-1) move outward and are clipped.
      expect(sentence).toMatch(/clipped \d+ of 64 to \[-1, 1\]/);
    });
  });

  describe('naming', () => {
    it('names the target, dimension and size', () => {
      expect(create({ target: 'sine', dimension: 8, size: 64 }).name).toBe('synthetic-sine-d8-n64');
    });

    it('puts the seed in the source', () => {
      expect(create({ seed: 42 }).source).toContain('seed 42');
    });
  });

  describe('validation', () => {
    it.each([
      ['size', { size: 0 }],
      ['size', { size: 2.5 }],
      ['size', { size: 100_001 }],
      ['dimension', { dimension: 1 }],
      ['dimension', { dimension: Number.NaN }],
      ['target', { target: 'cubic' as never }],
      ['seed', { seed: -1 }],
      ['seed', { seed: 2 ** 32 }],
      ['noise', { noise: -0.1 }],
      ['parallelTolerance', { parallelTolerance: 1 }],
    ])('rejects invalid %s', (field, overrides) => {
      let caught: unknown;
      try {
        create(overrides as Partial<SyntheticDatasetOptions>);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidInputError);
      expect((caught as InvalidInputError).field).toBe(field);
    });

    it('lists valid targets for an unknown one', () => {
      expect(() => create({ target: 'cubic' as never })).toThrow('valid targets are linear, sine, teacher, xor, random');
    });

    it('refuses n * d above the entry limit', () => {
      expect(() => create({ size: 100_000, dimension: 1000 })).toThrow(ResourceLimitError);
    });
  });
});
