import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { createSyntheticDataset, loadBundledDataset, loadDataset } from '../../src/data/index.js';

const temporaryFolder = mkdtempSync(join(tmpdir(), 'bitbound-spec-'));
afterAll(() => rmSync(temporaryFolder, { recursive: true, force: true }));

const CSV_TEXT = 'x1,x2,y\n1,0,0.5\n0,1,-0.5\n2,3,0.25\n5,1,0\n';

function catchError(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, but nothing was thrown');
}

describe('loadDataset', () => {
  describe('bundled names', () => {
    it('loads iris', () => {
      expect(loadDataset('iris').size).toBe(149);
    });

    it('passes size and seed to the subsample', () => {
      const viaSpec = loadDataset('cars', { size: 25, seed: 4 });
      const direct = loadBundledDataset('cars', { size: 25, seed: 4 });
      expect(Array.from(viaSpec.inputs)).toEqual(Array.from(direct.inputs));
    });
  });

  describe('synthetic specs', () => {
    it('parses target, d, n and seed', () => {
      const dataset = loadDataset('synthetic:sine:d=8:n=64:seed=3');
      const direct = createSyntheticDataset({ target: 'sine', dimension: 8, size: 64, seed: 3 });
      expect(dataset.name).toBe('synthetic-sine-d8-n64');
      expect(Array.from(dataset.targets)).toEqual(Array.from(direct.targets));
    });

    it('accepts keys in any order', () => {
      expect(loadDataset('synthetic:xor:n=10:d=3').name).toBe('synthetic-xor-d3-n10');
    });

    it('defaults to d = 8, n = 64 and seed 0', () => {
      const dataset = loadDataset('synthetic:linear');
      const direct = createSyntheticDataset({ target: 'linear', dimension: 8, size: 64, seed: 0 });
      expect(Array.from(dataset.inputs)).toEqual(Array.from(direct.inputs));
    });

    it('takes size, seed and noise from options', () => {
      const dataset = loadDataset('synthetic:teacher:d=4', { size: 12, seed: 5, noise: 0.1 });
      const direct = createSyntheticDataset({ target: 'teacher', dimension: 4, size: 12, seed: 5, noise: 0.1 });
      expect(Array.from(dataset.targets)).toEqual(Array.from(direct.targets));
    });

    it('rejects a size that conflicts with n', () => {
      expect(catchError(() => loadDataset('synthetic:sine:n=10', { size: 20 })).field).toBe('size');
    });

    it('rejects an unknown target', () => {
      expect(catchError(() => loadDataset('synthetic:cubic:d=2')).message).toContain('valid targets are');
    });

    it.each(['synthetic:sine:d8', 'synthetic:sine:k=2', 'synthetic:sine:d=x', 'synthetic:sine:d=2:d=3'])(
      'rejects malformed %s',
      (spec) => {
        expect(catchError(() => loadDataset(spec)).field).toBe('dataset');
      },
    );

    it('passes invalid values to the generator checks', () => {
      expect(catchError(() => loadDataset('synthetic:sine:d=1')).field).toBe('dimension');
    });
  });

  describe('file paths', () => {
    it('loads a CSV file', () => {
      const path = join(temporaryFolder, 'points.csv');
      writeFileSync(path, CSV_TEXT);
      expect(loadDataset(path).size).toBe(4);
    });

    it('loads a JSON file with an upper-case extension', () => {
      const path = join(temporaryFolder, 'points.JSON');
      writeFileSync(path, JSON.stringify([{ a: 1, b: 0, y: 0 }, { a: 0, b: 1, y: 1 }, { a: 2, b: 3, y: -1 }]));
      expect(loadDataset(path).size).toBe(3);
    });

    it('subsamples a file when size is given', () => {
      const path = join(temporaryFolder, 'points.csv');
      writeFileSync(path, CSV_TEXT);
      expect(loadDataset(path, { size: 2, seed: 1 }).size).toBe(2);
    });
  });

  describe('unknown specs', () => {
    it('lists the accepted forms', () => {
      const error = catchError(() => loadDataset('data.txt'));
      expect(error.field).toBe('dataset');
      expect(error.message).toContain('iris, cars, penguins');
      expect(error.message).toContain('synthetic:TARGET');
      expect(error.message).toContain('.csv or .json');
    });
  });
});
