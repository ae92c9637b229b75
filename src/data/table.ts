/**
 * Validation shared by the CSV and JSON loaders: column names, column selection, numeric
 * cells and the size limit. Both loaders turn their file into a `RawTable` and call
 * `buildDatasetFromTable`, so the two formats accept and reject the same data.
 */

import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InvalidInputError, formatValue } from '../errors.js';
import type { Dataset } from './dataset.js';
import { finalizeDataset, type RedundantRowPolicy, type TargetScaling } from './normalize.js';

/** Options shared by `parseDataCsv`, `loadDataCsv`, `parseDataJson` and `loadDataJson`. */
export interface TableLoadOptions {
  /** Column that contains the target. Default `y` when present, else the last column. */
  readonly targetColumn?: string;
  /** Columns used as inputs, in this order. Default every column except the target. */
  readonly inputColumns?: readonly string[];
  /** Largest file size accepted, in bytes. Default `DEFAULT_MAX_BYTES` (256 MiB). */
  readonly maxBytes?: number;
  /** Z-score each input column before normalizing rows. Default true. */
  readonly standardize?: boolean;
  /** Rows with |cos| >= 1 - parallelTolerance count as parallel. Default `PARALLEL_TOLERANCE`. */
  readonly parallelTolerance?: number;
  /** Largest allowed |y|. Default 1. */
  readonly targetBound?: number;
  /** Target rescaling: `none` (default), `maxabs` or `minmax`. */
  readonly scaleTargets?: TargetScaling;
  /** Reject duplicate or parallel input rows (default), or drop later ones and record them. */
  readonly redundantRows?: RedundantRowPolicy;
}

/**
 * Default `maxBytes`: 256 MiB. V8 in Node 20 caps one string at 2^29 - 24 UTF-16 code units
 * (about 512 Mi), and a file is read as one string, so this default keeps a margin below that
 * cap for any UTF-8 content.
 */
export const DEFAULT_MAX_BYTES = 256 * 2 ** 20;

/** A parsed file before numeric validation. */
export interface RawTable {
  /** The path, used as the prefix of every error field. */
  readonly location: string;
  /** Format name for the source sentence, e.g. `CSV`. */
  readonly format: string;
  /** Column names in file order. */
  readonly columns: readonly string[];
  /** Label of the row that contains the column names, for header errors, e.g. `row 1`. */
  readonly headerRowName: string;
  /** Data records; `cells[k]` belongs to `columns[k]`, and `undefined` or `null` means missing. */
  readonly records: readonly { readonly rowName: string; readonly cells: readonly unknown[] }[];
}

/** Decimal number syntax accepted in a cell: optional sign, digits with an optional point, optional exponent. */
const DECIMAL_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Spellings of non-finite values that get their own message. */
const NON_FINITE_PATTERN = /^[+-]?(nan|inf|infinity)$/i;

/**
 * Validates the column names, selects input and target columns, parses every selected cell
 * as a finite number, and finishes with `finalizeDataset` (standardization, unit-norm rows,
 * duplicate and parallel rows, target bound).
 *
 * Cost: O(n c) for c columns plus the cost of `finalizeDataset`.
 *
 * @throws InvalidInputError whose field names the file, the row and the column
 */
export function buildDatasetFromTable(table: RawTable, options: TableLoadOptions): Dataset {
  validateColumnNames(table);
  const { targetIndex, inputIndices } = selectColumns(table, options);
  const columnNames = inputIndices.map((index) => table.columns[index]);
  const targetName = table.columns[targetIndex];

  if (table.records.length === 0) {
    throw new InvalidInputError(
      table.location,
      0,
      'has column names but no data rows; add at least one row of numbers',
    );
  }

  const rows: number[][] = [];
  const targets: number[] = [];
  for (const record of table.records) {
    rows.push(
      inputIndices.map((index) =>
        parseNumericCell(record.cells[index], `${table.location} ${record.rowName}, column ${table.columns[index]}`),
      ),
    );
    targets.push(
      parseNumericCell(record.cells[targetIndex], `${table.location} ${record.rowName}, column ${targetName}`),
    );
  }

  return finalizeDataset(
    {
      name: basename(table.location, extname(table.location)),
      source: `${table.format} file ${table.location}`,
      rows,
      targets,
      cleaning: [
        `read ${rows.length} rows from ${table.location}; inputs ${columnNames.join(', ')}; target ${targetName}`,
      ],
    },
    {
      columnNames,
      targetName,
      rowNames: table.records.map((record) => record.rowName),
      location: table.location,
      redundantRows: options.redundantRows ?? 'reject',
      standardize: options.standardize,
      parallelTolerance: options.parallelTolerance,
      targetBound: options.targetBound,
      scaleTargets: options.scaleTargets,
    },
  );
}

/**
 * Parses one cell as a finite float64. Accepts finite numbers and decimal strings (surrounding
 * whitespace ignored); rejects missing cells, other text, NaN, Infinity and overflow.
 *
 * @param field where the cell is, e.g. `data.csv row 4, column x2`, used as the error field
 */
export function parseNumericCell(value: unknown, field: string): number {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new InvalidInputError(field, value, 'cell is empty or missing; fill in a number or delete the row');
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new InvalidInputError(field, value, `cell ${formatValue(value)} is not a finite number; replace it or delete the row`);
  }
  if (typeof value !== 'string') {
    throw new InvalidInputError(
      field,
      value,
      `cell ${JSON.stringify(value)} is not a number; write a decimal number such as 0.5 or -1.2e3`,
    );
  }
  const text = value.trim();
  if (NON_FINITE_PATTERN.test(text)) {
    throw new InvalidInputError(
      field,
      value,
      `cell ${JSON.stringify(value)} is NaN or infinite, not a finite number; replace it or delete the row`,
    );
  }
  if (!DECIMAL_PATTERN.test(text)) {
    throw new InvalidInputError(
      field,
      value,
      `cell ${JSON.stringify(value)} is not a number; write a decimal number such as 0.5 or -1.2e3` +
        ' (map labels to numbers before loading)',
    );
  }
  const parsed = Number(text);
  if (!Number.isFinite(parsed)) {
    throw new InvalidInputError(
      field,
      value,
      `cell ${JSON.stringify(value)} overflows float64 (|x| > 1.8e308); rescale the column before loading`,
    );
  }
  return parsed;
}

/**
 * Rejects a file larger than `maxBytes`, checked with `fs.statSync` before reading.
 * Also rejects a missing path or a directory.
 */
export function checkFileBeforeReading(path: string, maxBytes: number | undefined): void {
  const limit = resolveMaxBytes(maxBytes);
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) {
      throw new InvalidInputError(path, path, 'is not a regular file; pass the path of a .csv or .json file');
    }
    size = stats.size;
  } catch (error) {
    throw translateFileError(error, path);
  }
  checkByteSize(path, size, limit);
}

/** Validates `maxBytes` and returns it, or the default when it is undefined. */
export function resolveMaxBytes(maxBytes: number | undefined): number {
  const limit = maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(Number.isInteger(limit) && limit >= 1)) {
    throw new InvalidInputError('maxBytes', limit, `must be an integer >= 1 (bytes), got ${formatValue(limit)}`);
  }
  return limit;
}

/** Rejects a byte count above the limit, naming the option that raises it. */
export function checkByteSize(location: string, bytes: number, limit: number): void {
  if (bytes > limit) {
    throw new InvalidInputError(
      location,
      bytes,
      `file is ${bytes} bytes, larger than maxBytes = ${limit}; split the file or remove rows, or from the library pass a larger maxBytes`,
    );
  }
}

/** Turns a file-system error into an InvalidInputError for the usual user mistakes. */
export function translateFileError(error: unknown, path: string): unknown {
  if (error instanceof InvalidInputError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new InvalidInputError(path, path, 'file not found; check the path');
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new InvalidInputError(path, path, 'file cannot be read: permission denied; check its permissions');
  }
  if (code === 'EISDIR') {
    return new InvalidInputError(path, path, 'is a directory; pass the path of a .csv or .json file');
  }
  return error;
}

function validateColumnNames(table: RawTable): void {
  const firstIndexByName = new Map<string, number>();
  table.columns.forEach((name, index) => {
    if (name.trim() === '') {
      throw new InvalidInputError(
        `${table.location} ${table.headerRowName}, column ${index + 1}`,
        name,
        'column name is empty; give every column a name',
      );
    }
    const first = firstIndexByName.get(name);
    if (first !== undefined) {
      throw new InvalidInputError(
        `${table.location} ${table.headerRowName}, columns ${first + 1} and ${index + 1}`,
        name,
        `column name ${JSON.stringify(name)} appears twice; rename one of the columns`,
      );
    }
    firstIndexByName.set(name, index);
  });
  if (table.columns.length < 2) {
    throw new InvalidInputError(
      `${table.location} ${table.headerRowName}`,
      table.columns.length,
      `has only ${table.columns.length} ${table.columns.length === 1 ? 'column' : 'columns'}; at least one input column and one target column are needed`,
    );
  }
}

function selectColumns(
  table: RawTable,
  options: TableLoadOptions,
): { targetIndex: number; inputIndices: number[] } {
  const available = table.columns.map((name) => JSON.stringify(name)).join(', ');
  const findColumn = (option: string, name: string): number => {
    const index = table.columns.indexOf(name);
    if (index === -1) {
      throw new InvalidInputError(
        option,
        name,
        `column ${JSON.stringify(name)} not found in ${table.location}; its columns are ${available}`,
      );
    }
    return index;
  };

  let targetIndex: number;
  if (options.targetColumn !== undefined) targetIndex = findColumn('targetColumn', options.targetColumn);
  else if (table.columns.includes('y')) targetIndex = table.columns.indexOf('y');
  else targetIndex = table.columns.length - 1;

  if (options.inputColumns === undefined) {
    const inputIndices = table.columns.map((_, index) => index).filter((index) => index !== targetIndex);
    return { targetIndex, inputIndices };
  }

  if (options.inputColumns.length === 0) {
    throw new InvalidInputError('inputColumns', options.inputColumns, 'is empty; name at least one input column or omit the option');
  }
  const seen = new Set<string>();
  const inputIndices = options.inputColumns.map((name) => {
    if (seen.has(name)) {
      throw new InvalidInputError('inputColumns', name, `lists column ${JSON.stringify(name)} twice; list each column once`);
    }
    seen.add(name);
    const index = findColumn('inputColumns', name);
    if (index === targetIndex) {
      throw new InvalidInputError(
        'inputColumns',
        name,
        `lists the target column ${JSON.stringify(name)}; remove it, or choose another targetColumn`,
      );
    }
    return index;
  });
  return { targetIndex, inputIndices };
}
