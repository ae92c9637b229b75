/**
 * Reader for scaling-law CSV files.
 *
 * Format: a header line, then one run per line. Recognized columns (names case-insensitive):
 *
 *     N           model size in parameters                       optional
 *     D           data size (tokens or examples)                  optional
 *     C           compute (floating-point operations)             optional
 *     loss        loss, positive                                  loss or perplexity, not both
 *     perplexity  perplexity, above 1; read as loss = ln(perplexity)
 *     seed        run seed; points with the same seed are resampled together
 *     family      group fitted separately, e.g. bitnet or llama
 *
 * At least one of N, D, C is required. Other columns are ignored, so result files may carry
 * notes. Lines whose first non-blank character is `#` are comments, and blank lines are skipped.
 * Fields may be double-quoted, with `""` for a literal quote, but may not span lines. Numbers
 * are decimal, with an optional exponent (`1.3e9`). An empty N, D or C cell means "not measured".
 */

import { InvalidInputError, formatValue } from '../errors.js';
import type { ScalingPoint } from './types.js';

/** A decimal number with optional sign, fraction and exponent; no hex, no Infinity, no empty string. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const VARIABLE_COLUMNS = ['N', 'D', 'C'] as const;
const KNOWN_COLUMNS = ['n', 'd', 'c', 'loss', 'perplexity', 'seed', 'family'] as const;
type KnownColumn = (typeof KNOWN_COLUMNS)[number];

/**
 * Parses scaling-law CSV text into points. `source` names the file in error messages. Cost: O(size).
 *
 * @throws InvalidInputError naming `source`, the line number and the column. Header errors: no
 *   header, a duplicated column, no loss or perplexity column, both of them, or none of N, D, C.
 *   Row errors: the wrong number of fields, an unterminated quote, a cell that is not a finite
 *   positive number, a perplexity of 1 or less, or an empty loss, seed or family.
 */
export function parseScalingCsv(text: string, source = 'CSV'): ScalingPoint[] {
  const lines = text.split(/\r?\n/);
  let headerLineNumber = 0;
  let header: string[] | null = null;
  const points: ScalingPoint[] = [];
  let columnIndex: Partial<Record<KnownColumn, number>> = {};

  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex] as string;
    const lineNumber = lineIndex + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;

    const fields = splitCsvLine(line, `${source} line ${lineNumber}`);
    if (header === null) {
      header = fields.map((field) => field.trim());
      headerLineNumber = lineNumber;
      columnIndex = indexColumns(header, `${source} line ${lineNumber}`);
      continue;
    }
    if (fields.length !== header.length) {
      throw new InvalidInputError(
        `${source} line ${lineNumber}`,
        line,
        `has ${fields.length} fields but the header on line ${headerLineNumber} has ${header.length}; ` +
          'give every row one value per column (empty for a missing N, D or C)',
      );
    }
    points.push(readPoint(fields, columnIndex, `${source} line ${lineNumber}`));
  }

  if (header === null) {
    throw new InvalidInputError(source, text.length, 'no header line found; the first non-comment line must name the columns, e.g. N,D,loss');
  }
  if (points.length === 0) {
    throw new InvalidInputError(source, 0, `has a header but no data rows; add one row per run below line ${headerLineNumber}`);
  }
  return points;
}

function indexColumns(header: readonly string[], location: string): Partial<Record<KnownColumn, number>> {
  const index: Partial<Record<KnownColumn, number>> = {};
  header.forEach((name, position) => {
    const key = name.toLowerCase() as KnownColumn;
    if (!(KNOWN_COLUMNS as readonly string[]).includes(key)) return;
    if (index[key] !== undefined) {
      throw new InvalidInputError(`${location}, column ${name}`, name, `column ${name} appears twice in the header; keep one`);
    }
    index[key] = position;
  });

  if (index.loss !== undefined && index.perplexity !== undefined) {
    throw new InvalidInputError(location, header.join(','), 'has both loss and perplexity columns; keep one, because either defines the loss');
  }
  if (index.loss === undefined && index.perplexity === undefined) {
    throw new InvalidInputError(location, header.join(','), `has no loss or perplexity column (header: ${header.join(',')}); add one`);
  }
  if (index.n === undefined && index.d === undefined && index.c === undefined) {
    throw new InvalidInputError(location, header.join(','), `has none of the columns N, D, C (header: ${header.join(',')}); add the variable to fit against`);
  }
  return index;
}

function readPoint(fields: readonly string[], columnIndex: Partial<Record<KnownColumn, number>>, location: string): ScalingPoint {
  const cell = (key: KnownColumn): string | undefined => {
    const position = columnIndex[key];
    return position === undefined ? undefined : (fields[position] as string).trim();
  };

  let loss: number;
  const lossText = cell('loss');
  if (lossText !== undefined) {
    loss = parsePositive(lossText, `${location}, column loss`);
  } else {
    const perplexity = parsePositive(cell('perplexity') as string, `${location}, column perplexity`);
    if (perplexity <= 1) {
      throw new InvalidInputError(
        `${location}, column perplexity`,
        perplexity,
        `must exceed 1, because the loss ln(perplexity) must be positive for a log-space fit; got ${formatValue(perplexity)}`,
      );
    }
    loss = Math.log(perplexity);
  }

  const point: ScalingPoint = { loss };
  for (const variable of VARIABLE_COLUMNS) {
    const text = cell(variable.toLowerCase() as KnownColumn);
    if (text !== undefined && text !== '') point[variable] = parsePositive(text, `${location}, column ${variable}`);
  }

  const seed = cell('seed');
  if (seed !== undefined) {
    if (seed === '') throw new InvalidInputError(`${location}, column seed`, seed, 'is empty; give every row its seed or drop the column');
    point.seed = seed;
  }
  const family = cell('family');
  if (family !== undefined) {
    if (family === '') throw new InvalidInputError(`${location}, column family`, family, 'is empty; name the family of every row or drop the column');
    point.family = family;
  }
  return point;
}

function parsePositive(text: string, location: string): number {
  if (text === '') {
    throw new InvalidInputError(location, text, 'is empty but this column needs a value in every row');
  }
  const value = DECIMAL_NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidInputError(location, text, `must be a finite positive decimal number such as 1.3e9, got ${formatValue(text)}`);
  }
  return value;
}

/** Splits one CSV line into fields, honoring double quotes. */
function splitCsvLine(line: string, location: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const character = line[i] as string;
    if (quoted) {
      if (character === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (character === '"') {
        quoted = false;
      } else {
        current += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      fields.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (quoted) {
    throw new InvalidInputError(location, line, 'has an unterminated double quote; close it on the same line');
  }
  fields.push(current);
  return fields;
}
