/**
 * CSV data files: a header row of column names, then one row of numbers per example.
 *
 * Format (RFC 4180 with small relaxations): cells are separated by commas and rows by LF,
 * CRLF or CR. A cell may be quoted with double quotes, and then it may contain commas, line
 * breaks and doubled quotes (`""` for one `"`). Spaces around a quoted cell are ignored, and
 * spaces around numbers and column names are trimmed. A leading byte order mark and blank
 * lines at the end of the file are ignored. Comments are not supported.
 *
 * Rows are numbered from 1 with the header as row 1, so data row i is row i + 1. A row is a
 * record, so the numbers match line numbers unless a quoted cell spans lines.
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

/** Options of `parseDataCsv`. */
export interface CsvLoadOptions extends TableLoadOptions {
  /** The file path, used in the data set name, the source and every error message. */
  readonly path: string;
}

/**
 * Parses CSV text into a `Dataset`. The target column is `targetColumn`, else `y` when present,
 * else the last column; the inputs are `inputColumns`, else every other column. Every check
 * of `finalizeDataset` follows: inputs are standardized and scaled to unit norm, and duplicate
 * or parallel rows, a constant input column and targets with |y| > 1 are rejected by default.
 *
 * Cost: O(characters) to parse plus the cost of `finalizeDataset`.
 *
 * @throws InvalidInputError whose field names the file, the row (header = row 1) and the
 *   column, and whose message gives the edit or the option that fixes the file
 */
export function parseDataCsv(text: string, options: CsvLoadOptions): Dataset {
  const { path } = options;
  checkByteSize(path, Buffer.byteLength(text, 'utf8'), resolveMaxBytes(options.maxBytes));

  const records = parseCsvRecords(text, path);
  if (records.length === 0) {
    throw new InvalidInputError(path, '', 'file is empty; write a header row of column names, then rows of numbers');
  }
  const columns = records[0].map((name) => name.trim());
  if (columns.every((name) => name !== '' && Number.isFinite(Number(name)))) {
    throw new InvalidInputError(
      `${path} row 1`,
      records[0].join(','),
      'is all numbers, so the file has no header row; add a first row of column names, e.g. x1,x2,y',
    );
  }
  if (records.length === 1) {
    throw new InvalidInputError(path, records.length, 'file has a header row but no data rows; add rows of numbers below the header');
  }

  const dataRecords = records.slice(1).map((cells, index) => {
    const rowName = `row ${index + 2}`;
    if (cells.length === 1 && cells[0].trim() === '') {
      throw new InvalidInputError(`${path} ${rowName}`, '', 'row is blank; delete the blank line');
    }
    if (cells.length !== columns.length) {
      const relation = cells.length > columns.length ? 'more' : 'fewer';
      const column = cells.length > columns.length ? `column ${columns.length + 1}` : `column ${columns[cells.length]}`;
      throw new InvalidInputError(
        `${path} ${rowName}, ${column}`,
        cells.length,
        `row has ${cells.length} cells, ${relation} than the ${columns.length} columns of the header; ` +
          'give every row exactly one cell per header column (quote cells that contain commas)',
      );
    }
    return { rowName, cells };
  });

  return buildDatasetFromTable(
    { location: path, format: 'CSV', columns, headerRowName: 'row 1', records: dataRecords },
    options,
  );
}

/**
 * Reads a CSV file and parses it with `parseDataCsv`. The file size is checked with
 * `fs.statSync` against `maxBytes` before anything is read.
 *
 * @throws InvalidInputError for a missing, unreadable or oversized file and for invalid content
 */
export function loadDataCsv(path: string, options: TableLoadOptions = {}): Dataset {
  checkFileBeforeReading(path, options.maxBytes);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw translateFileError(error, path);
  }
  return parseDataCsv(text, { ...options, path });
}

/**
 * Splits CSV text into records of raw cell strings (quotes removed, no trimming of unquoted
 * cells). Blank records at the end of the text are dropped; blank records elsewhere are
 * returned as one empty cell so the caller can report them.
 *
 * @param location the path, used in error messages
 * @throws InvalidInputError for an unclosed quote or text after a closing quote
 */
export function parseCsvRecords(text: string, location: string): string[][] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let position = 0;
  const length = source.length;

  const endCell = (): void => {
    cells.push(cell);
    cell = '';
  };
  const endRecord = (): void => {
    endCell();
    records.push(cells);
    cells = [];
  };

  while (position < length) {
    const char = source[position];
    if (char === '"' && cell.trim() === '') {
      position = readQuotedCell(source, position, location, records.length + 1, cells.length + 1, (value) => {
        cell = value;
      });
      continue;
    }
    if (char === ',') {
      endCell();
      position++;
    } else if (char === '\n' || char === '\r') {
      endRecord();
      position += char === '\r' && source[position + 1] === '\n' ? 2 : 1;
    } else {
      cell += char;
      position++;
    }
  }
  if (cell !== '' || cells.length > 0) endRecord();

  while (records.length > 0 && isBlankRecord(records[records.length - 1])) records.pop();
  return records;
}

/**
 * Reads a quoted cell starting at the opening quote and returns the position after the
 * closing quote and any trailing spaces. Calls `store` with the unquoted value.
 */
function readQuotedCell(
  source: string,
  start: number,
  location: string,
  rowNumber: number,
  columnNumber: number,
  store: (value: string) => void,
): number {
  let value = '';
  let position = start + 1;
  for (;;) {
    if (position >= source.length) {
      throw new InvalidInputError(
        `${location} row ${rowNumber}, column ${columnNumber}`,
        value,
        'quoted cell is never closed; add the closing double quote (write "" for a quote inside a cell)',
      );
    }
    const char = source[position];
    if (char === '"') {
      if (source[position + 1] === '"') {
        value += '"';
        position += 2;
        continue;
      }
      position++;
      break;
    }
    value += char;
    position++;
  }
  while (source[position] === ' ' || source[position] === '\t') position++;
  const next = source[position];
  if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
    throw new InvalidInputError(
      `${location} row ${rowNumber}, column ${columnNumber}`,
      next,
      `unexpected text ${JSON.stringify(next)} after a closing quote; quote the whole cell and ` +
        'write "" for a quote inside it',
    );
  }
  store(value);
  return position;
}

function isBlankRecord(cells: readonly string[]): boolean {
  return cells.length === 1 && cells[0].trim() === '';
}
