/**
 * Entry point of the data layer: `loadDataset` turns one command-line style spec into a
 * `Dataset`, and the loaders and helpers are re-exported.
 *
 * Spec syntax:
 * - a bundled name: `iris`, `cars`, `penguins` (see `listBundledDatasets`);
 * - `synthetic:TARGET` with optional `:key=value` parts in any order, where TARGET is one of
 *   `linear`, `sine`, `teacher`, `xor`, `random` and the keys are `d` (dimension, default 8),
 *   `n` (size, default 64), `seed` (default `options.seed`, else 0) and `noise` (target noise
 *   standard deviation, default `options.noise`, else 0), e.g. `synthetic:sine:d=8:n=64:seed=3`;
 * - a path ending in `.csv` or `.json` (any letter case).
 */

import { InvalidInputError, formatValue } from '../errors.js';
import { bundledDatasetNames, isBundledDatasetName, loadBundledDataset } from './bundled.js';
import { loadDataCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { loadDataJson } from './json.js';
import { DEFAULT_SUBSAMPLE_SEED, subsampleDataset } from './subsample.js';
import { SYNTHETIC_TARGETS, createSyntheticDataset, isSyntheticTarget } from './synthetic.js';
import type { TableLoadOptions } from './table.js';

export type { Dataset } from './dataset.js';
export {
  CONSTANT_COLUMN_TOLERANCE,
  PARALLEL_TOLERANCE,
  ZERO_ROW_TOLERANCE,
  finalizeDataset,
  type FinalizeOptions,
  type RawDataset,
  type RedundantRowPolicy,
  type TargetScaling,
} from './normalize.js';
export { findParallelRows, type ParallelRowScan } from './parallel.js';
export {
  bundledDatasetNames,
  isBundledDatasetName,
  listBundledDatasets,
  loadBundledDataset,
  type BundledDatasetInfo,
  type BundledDatasetOptions,
} from './bundled.js';
export {
  MAX_SYNTHETIC_DIMENSION,
  MAX_SYNTHETIC_ENTRIES,
  MAX_SYNTHETIC_SIZE,
  SYNTHETIC_TARGETS,
  TEACHER_WIDTH,
  createSyntheticDataset,
  isSyntheticTarget,
  type SyntheticDatasetOptions,
  type SyntheticTarget,
} from './synthetic.js';
export { loadDataCsv, parseCsvRecords, parseDataCsv, type CsvLoadOptions } from './csv.js';
export { loadDataJson, parseDataJson, type JsonLoadOptions } from './json.js';
export { DEFAULT_MAX_BYTES, type TableLoadOptions } from './table.js';
export { DEFAULT_SUBSAMPLE_SEED, subsampleDataset } from './subsample.js';

/** Options of `loadDataset`; each applies to the kinds of spec named in its comment. */
export interface LoadDatasetOptions extends TableLoadOptions {
  /**
   * Bundled sets and files: keep a seeded random subsample of this many rows after cleaning.
   * Synthetic sets: the number of points when the spec has no `n=`.
   */
  readonly size?: number;
  /** Seed of the subsample, or of the generator when a synthetic spec has no `seed=`. Default 0. */
  readonly seed?: number;
  /** Synthetic sets: target noise standard deviation when the spec has no `noise=`. Default 0. */
  readonly noise?: number;
}

/** Dimension of a synthetic spec without `d=`. */
export const DEFAULT_SYNTHETIC_DIMENSION = 8;

/** Size of a synthetic spec without `n=` and without the `size` option. */
export const DEFAULT_SYNTHETIC_SIZE = 64;

const SPEC_FORMS =
  `a bundled name (${bundledDatasetNames().join(', ')}), synthetic:TARGET[:d=D][:n=N][:seed=S][:noise=SIGMA] ` +
  `with TARGET one of ${SYNTHETIC_TARGETS.join(', ')}, or a path ending in .csv or .json`;

/**
 * Loads the data set named by `spec` (syntax in the module doc): a bundled set, a synthetic
 * set, or a CSV or JSON file. File options (`targetColumn`, `inputColumns`, `maxBytes`,
 * `standardize`, `scaleTargets`, ...) apply to files only.
 *
 * @throws InvalidInputError for a spec that matches no form (the message lists the forms)
 *   and for every error of the loader it dispatches to
 */
export function loadDataset(spec: string, options: LoadDatasetOptions = {}): Dataset {
  if (isBundledDatasetName(spec)) {
    return loadBundledDataset(spec, { size: options.size, seed: options.seed });
  }
  if (spec.startsWith('synthetic:')) return loadSyntheticSpec(spec, options);

  const lower = spec.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.json')) {
    const dataset = lower.endsWith('.csv') ? loadDataCsv(spec, options) : loadDataJson(spec, options);
    if (options.size === undefined) return dataset;
    return subsampleDataset(dataset, options.size, options.seed ?? DEFAULT_SUBSAMPLE_SEED);
  }

  throw new InvalidInputError('dataset', spec, `${JSON.stringify(spec)} is not a data set spec; use ${SPEC_FORMS}`);
}

function loadSyntheticSpec(spec: string, options: LoadDatasetOptions): Dataset {
  const [, target = '', ...parts] = spec.split(':');
  if (!isSyntheticTarget(target)) {
    throw new InvalidInputError(
      'dataset',
      spec,
      `unknown synthetic target ${JSON.stringify(target)}; valid targets are ${SYNTHETIC_TARGETS.join(', ')}, ` +
        'e.g. synthetic:sine:d=8:n=64',
    );
  }

  const values = new Map<string, number>();
  for (const part of parts) {
    const match = /^(d|n|seed|noise)=(.+)$/.exec(part);
    if (match === null) {
      throw new InvalidInputError(
        'dataset',
        spec,
        `part ${JSON.stringify(part)} of the synthetic spec is not key=value with key d, n, seed or noise; ` +
          'write e.g. synthetic:sine:d=8:n=64:seed=3:noise=0.1',
      );
    }
    const [, key, text] = match as unknown as [string, string, string];
    if (values.has(key)) {
      throw new InvalidInputError('dataset', spec, `key ${key} appears twice in the synthetic spec; give it once`);
    }
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new InvalidInputError('dataset', spec, `${key}=${text} in the synthetic spec is not a finite number`);
    }
    values.set(key, value);
  }

  const specSize = values.get('n');
  if (specSize !== undefined && options.size !== undefined && specSize !== options.size) {
    throw new InvalidInputError(
      'size',
      options.size,
      `conflicts with n=${formatValue(specSize)} in ${JSON.stringify(spec)}; give the size in one place`,
    );
  }
  return createSyntheticDataset({
    target,
    dimension: values.get('d') ?? DEFAULT_SYNTHETIC_DIMENSION,
    size: specSize ?? options.size ?? DEFAULT_SYNTHETIC_SIZE,
    seed: values.get('seed') ?? options.seed ?? 0,
    noise: values.get('noise') ?? options.noise ?? 0,
    parallelTolerance: options.parallelTolerance,
  });
}
