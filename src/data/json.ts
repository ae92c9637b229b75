/**
 * JSON data files: an array of objects, one per example, each with the same keys. The keys
 * of the first object are the columns, in their order; column selection and every numeric
 * check are the same as for CSV files. A value must be a finite number or a string holding
 * a decimal number; `null` counts as a missing cell.
 *
 * Rows are numbered from 1 in array order and messages also give the array index, e.g.
 * `row 3 (array index 2)`.
 */

import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import {
  buildDatasetFromTable,
  checkByteSize,
  checkFileBeforeReading,
  resolveMaxBytes,
  translateFileError,
  type TableLoadOptions,
} from './table.js';

/** Options of `parseDataJson`. */
export interface JsonLoadOptions extends TableLoadOptions {
  /** The file path, used in the data set name, the source and every error message. */
  readonly path: string;
}

/**
 * Parses JSON text (an array of objects) into a `Dataset`, with the same column semantics
 * and checks as `parseDataCsv`.
 *
 * Cost: O(characters) to parse plus the cost of `finalizeDataset`.
 *
 * @throws InvalidInputError whose field names the file, the row and the column
 */
export function parseDataJson(text: string, options: JsonLoadOptions): Dataset {
  const { path } = options;
  checkByteSize(path, Buffer.byteLength(text, 'utf8'), resolveMaxBytes(options.maxBytes));
  if (text.trim() === '') {
    throw new InvalidInputError(path, '', 'file is empty; write an array of objects such as [{"x1": 0.5, "y": 1}]');
  }

  let parsed: unknown;
  try {
    // JSON.parse rejects a byte order mark, which some editors write at the start of a file.
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new InvalidInputError(
      path,
      undefined,
      `file is not valid JSON (${(error as Error).message}); fix the syntax`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw new InvalidInputError(
      path,
      typeof parsed,
      'file must contain a JSON array of objects, one per row, such as [{"x1": 0.5, "y": 1}]',
    );
  }
  if (parsed.length === 0) {
    throw new InvalidInputError(path, 0, 'array is empty; add one object per row');
  }

  const objects = parsed.map((element, index) => {
    if (element === null || typeof element !== 'object' || Array.isArray(element)) {
      throw new InvalidInputError(
        `${path} ${describeRow(index)}`,
        element,
        `element is ${element === null ? 'null' : Array.isArray(element) ? 'an array' : typeof element}, ` +
          'not an object; write each row as an object of column names and numbers',
      );
    }
    return element as Record<string, unknown>;
  });

  const columns = Object.keys(objects[0]);
  const columnSet = new Set(columns);
  const records = objects.map((object, index) => {
    const rowName = describeRow(index);
    const extra = Object.keys(object).find((key) => !columnSet.has(key));
    if (extra !== undefined) {
      throw new InvalidInputError(
        `${path} ${rowName}, column ${extra}`,
        extra,
        `row has key ${JSON.stringify(extra)}, which the first row lacks; give every row the same keys`,
      );
    }
    return { rowName, cells: columns.map((column) => object[column]) };
  });

  return buildDatasetFromTable(
    { location: path, format: 'JSON', columns, headerRowName: describeRow(0), records },
    options,
  );
}

/**
 * Reads a JSON file and parses it with `parseDataJson`. The file size is checked with
 * `fs.statSync` against `maxBytes` before anything is read.
 *
 * @throws InvalidInputError for a missing, unreadable or oversized file and for invalid content
 */
export function loadDataJson(path: string, options: TableLoadOptions = {}): Dataset {
  checkFileBeforeReading(path, options.maxBytes);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw translateFileError(error, path);
  }
  return parseDataJson(text, { ...options, path });
}

function describeRow(index: number): string {
  return `row ${index + 1} (array index ${index})`;
}
