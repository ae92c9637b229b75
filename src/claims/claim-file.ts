/**
 * Claim files: the JSON format in which users write their own claims, its loader and its
 * validation. A claim file has the shape of this TypeScript object (every field not marked
 * optional is required):
 *
 * ```ts
 * {
 *   id: 'sign-kernel-stays-positive',          // letters, digits, '.', '_', '-'
 *   title: 'lambda_min(S(0)) stays above lambda_S / 2 for wide nets',
 *   summary?: 'one paragraph in plain words',
 *   source?: 'where the claim comes from, by title',
 *   statement: 'lambda_min_S0 >= lambda_S / 2',  // or a list of statements
 *   hypotheses?: ['m >= 4 * n^2'],              // strings or { expression, description }
 *   delta?: 0.1,                                 // the claim holds with probability >= 1 - delta
 *   exponents?: [{ symbol: 'slope_gap', of: 'gap_mean', against?: 'm' }],
 *   parameters?: {
 *     width?: [64, 4096],                        // m, log-uniform integers; or one number
 *     seeds?: [0, 999],                          // initialization seeds, uniform
 *     dataset?: 'iris',                          // or 'synthetic:sine:d=8..10:n=20..60'
 *                                                // or { synthetic: 'sine', n: [20, 60], d: [8, 10], seed?: 0, noise?: 0 }
 *     kappa?: 1,                                 // or [0.25, 4], log-uniform
 *     eta?: 0.1,                                 // default 1 / lambda_max(Hstar)
 *     steps?: 30,
 *     quantizer?: 'sign',
 *   },
 * }
 * ```
 *
 * A statement is a string (an inequality over measured symbols, see `bitbound claim
 * --symbols`, or over declared exponents) or an object: `{ expression, id?, description? }`,
 * `{ exponent, target, id?, description? }` (the fitted exponent's interval must contain
 * target) or `{ overlap: [a, b], id?, description? }` (the two exponents' intervals must
 * overlap). An inequality that uses a declared exponent is a rate statement and may use
 * run-level symbols besides; any other inequality is a bound, checked on every instance.
 *
 * Every error is an InvalidInputError whose field names the file and the JSON path, e.g.
 * `claim.json: parameters.width`, so the CLI exits with status 2 and one line.
 */
import fs from 'node:fs';
import type { Claim, ExponentSpec, HypothesisSpec, MeasurementLevel, StatementSpec } from './claim.js';
import { ALLOWED_FUNCTIONS, ExpressionInputError, NAMED_CONSTANTS, parseStatement, type ParsedStatement } from './expression.js';
import { MEASURED_SYMBOLS, findSymbol, symbolLatexNames } from './symbols.js';
import { InvalidInputError, formatValue } from '../errors.js';
import { MAX_SYNTHETIC_DIMENSION, MAX_SYNTHETIC_SIZE, SYNTHETIC_TARGETS, isSyntheticTarget } from '../data/index.js';
import { MAX_WIDTH } from '../check/options.js';
import type { DatasetSpace, InstanceSpace, ValueRange } from '../check/property.js';

/** A statement as written in a claim file. */
export type ClaimFileStatement =
  | string
  | { readonly expression: string; readonly id?: string; readonly description?: string }
  | { readonly exponent: string; readonly target: number; readonly id?: string; readonly description?: string }
  | { readonly overlap: readonly [string, string]; readonly id?: string; readonly description?: string };

/** A hypothesis as written in a claim file. */
export type ClaimFileHypothesis = string | { readonly expression: string; readonly description?: string };

/** An exponent declaration: the slope of log(of) against log(against) over the width grid. */
export interface ClaimFileExponent {
  readonly symbol: string;
  readonly of: string;
  readonly against?: 'm' | 'N';
  readonly description?: string;
}

/** A range as written in a claim file: `[min, max]`, or one number for a fixed value. */
export type ClaimFileRange = number | readonly [number, number];

/** Synthetic data whose size n and dimension d may range. */
export interface ClaimFileSyntheticDataset {
  readonly synthetic: string;
  readonly n?: ClaimFileRange;
  readonly d?: ClaimFileRange;
  readonly seed?: number;
  readonly noise?: number;
}

/** The parameter ranges instances are drawn from. */
export interface ClaimFileParameters {
  readonly width?: ClaimFileRange;
  readonly seeds?: ClaimFileRange;
  readonly dataset?: string | ClaimFileSyntheticDataset;
  readonly kappa?: ClaimFileRange;
  readonly eta?: number;
  readonly steps?: number;
  readonly quantizer?: string;
}

/** A claim file, as documented in the module comment. */
export interface ClaimFile {
  readonly id: string;
  readonly title: string;
  readonly summary?: string;
  readonly source?: string;
  readonly statement: ClaimFileStatement | readonly ClaimFileStatement[];
  readonly hypotheses?: readonly ClaimFileHypothesis[];
  readonly delta?: number;
  readonly exponents?: readonly ClaimFileExponent[];
  readonly parameters?: ClaimFileParameters;
}

/** A validated user claim: the engine's Claim and the space its instances are drawn from. */
export interface UserClaim {
  readonly claim: Claim;
  readonly space: InstanceSpace;
}

/** Source of a definition, and the naming of its JSON paths in errors. */
export interface DefinitionOrigin {
  /** Prefix of every error field, e.g. the file path. */
  readonly name: string;
  /**
   * Renames a JSON path such as `parameters.width` for errors, e.g. to the command-line flag
   * `--widths` that set it; the default prints `NAME: PATH`.
   */
  readonly fieldName?: (path: string) => string;
}

/** Defaults of the parameters a claim file leaves out. */
export const DEFAULT_CLAIM_PARAMETERS = {
  width: [16, 1024],
  seeds: [0, 999],
  dataset: 'iris',
  kappa: 1,
  steps: 30,
  quantizer: 'sign',
} as const satisfies ClaimFileParameters;

/** Largest claim file read, in bytes; a claim is a few hundred bytes, so this only stops a wrong path. */
export const MAX_CLAIM_FILE_BYTES = 1024 * 1024;

/** Largest initialization seed accepted, as for `bitbound check --first-seed`. */
export const MAX_SEED = 2 ** 31 - 1;

/** Smallest data size: the train/test split needs 2 training inputs and 1 held-out input, and the sweeps 4. */
export const MIN_DATA_SIZE = 4;

/**
 * Cell-level symbols measured at initialization. A claim that uses only these and run-level
 * symbols is measured without training, which is tens of times cheaper.
 */
export const INITIALIZATION_CELL_SYMBOLS: readonly string[] = ['m', 'N', 'seed', 'lambda_min_H0', 'lambda_min_S0', 'dev_max_H0', 'dev_op_H0', 'dev_max_S0', 'dev_op_S0'];

/**
 * Returns the measurement level that defines every symbol in `symbols`: `initialization` when
 * each is run-level, an exponent, or one of {@link INITIALIZATION_CELL_SYMBOLS}; `training`
 * otherwise.
 */
export function requiredMeasurementLevel(symbols: Iterable<string>): MeasurementLevel {
  for (const name of symbols) {
    const level = findSymbol(name)?.level;
    if (level === 'step') return 'training';
    if (level === 'cell' && !INITIALIZATION_CELL_SYMBOLS.includes(name)) return 'training';
  }
  return 'initialization';
}

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Reads and validates a claim file. Throws InvalidInputError naming the file when it is
 * missing, too large, not JSON (with line and column), or not a valid claim.
 * Cost: reading the file and parsing each expression once.
 */
export function loadClaimFile(path: string): UserClaim {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch {
    throw new InvalidInputError('claim file', path, `${JSON.stringify(path)} was not found or cannot be read; check the path`);
  }
  if (size > MAX_CLAIM_FILE_BYTES) {
    throw new InvalidInputError('claim file', path, `${JSON.stringify(path)} has ${size} bytes, over the limit of ${MAX_CLAIM_FILE_BYTES}; a claim file contains one claim of a few hundred bytes; check the path`);
  }
  return parseClaimFileText(fs.readFileSync(path, 'utf8'), path);
}

/**
 * Parses the text of a claim file and validates it. `origin` names the file in errors.
 * Malformed JSON is reported with its line and column.
 */
export function parseClaimFileText(text: string, origin: string): UserClaim {
  // JSON.parse rejects a byte order mark, which some editors write at the start of a file.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let definition: unknown;
  try {
    definition = JSON.parse(json);
  } catch (error) {
    throw jsonSyntaxError(error, json, origin);
  }
  return claimFromDefinition(definition, { name: origin });
}

function jsonSyntaxError(error: unknown, text: string, origin: string): InvalidInputError {
  // Node's JSON.parse messages differ between versions and do not always give a position,
  // so the position comes from a scan of the text against the JSON grammar.
  const found = locateJsonError(text);
  const reason = found?.reason ?? (error instanceof Error ? error.message : String(error));
  const position = found?.position ?? text.length;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const excerpt = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return new InvalidInputError(origin, excerpt, `is not valid JSON: ${reason} at line ${line}, column ${column}`);
}

/**
 * Scans `text` against the JSON grammar (RFC 8259) and returns the offset and reason of the
 * first error, or null when the text is valid JSON. Cost: one pass over the text.
 */
export function locateJsonError(text: string): { position: number; reason: string } | null {
  let index = 0;
  const fail = (reason: string): never => {
    throw new JsonScanError(index, reason);
  };
  const skipWhitespace = (): void => {
    while (index < text.length && ' \t\n\r'.includes(text[index])) index++;
  };
  const describe = (): string => (index >= text.length ? 'the end of the input' : `${JSON.stringify(text[index])}`);
  const expect = (character: string, what: string): void => {
    skipWhitespace();
    if (text[index] !== character) fail(`expected ${what}, found ${describe()}`);
    index++;
  };

  const scanString = (): void => {
    index++; // opening quote
    while (index < text.length && text[index] !== '"') {
      const code = text.charCodeAt(index);
      if (code < 0x20) fail('unescaped control character in a string');
      if (text[index] === '\\') {
        index++;
        if (index < text.length && text[index] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 1, index + 5))) fail('invalid \\u escape in a string');
          index += 5;
          continue;
        }
        if (index >= text.length || !'"\\/bfnrt'.includes(text[index])) fail('invalid escape in a string');
      }
      index++;
    }
    if (index >= text.length) fail('unterminated string');
    index++;
  };

  const scanValue = (depth: number): void => {
    if (depth > MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    skipWhitespace();
    const character = text[index];
    if (character === '{') {
      index++;
      skipWhitespace();
      if (text[index] === '}') {
        index++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[index] !== '"') fail(`expected a double-quoted property name, found ${describe()}`);
        scanString();
        expect(':', '":" after the property name');
        scanValue(depth + 1);
        skipWhitespace();
        if (text[index] === ',') {
          index++;
          continue;
        }
        if (text[index] === '}') {
          index++;
          return;
        }
        fail(`expected "," or "}" after a property value, found ${describe()}`);
      }
    }
    if (character === '[') {
      index++;
      skipWhitespace();
      if (text[index] === ']') {
        index++;
        return;
      }
      for (;;) {
        scanValue(depth + 1);
        skipWhitespace();
        if (text[index] === ',') {
          index++;
          continue;
        }
        if (text[index] === ']') {
          index++;
          return;
        }
        fail(`expected "," or "]" after an array entry, found ${describe()}`);
      }
    }
    if (character === '"') return scanString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(text.slice(index, index + 400));
    if (literal === null || literal[0] === '') fail(`expected a value, found ${describe()}`);
    index += literal![0].length;
  };

  try {
    scanValue(0);
    skipWhitespace();
    if (index < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return null;
  } catch (error) {
    if (error instanceof JsonScanError) return { position: error.position, reason: error.reason };
    throw error;
  }
}

/** Maximum nesting the JSON scan follows; a claim file nests 4 levels. */
const MAX_JSON_DEPTH = 200;

class JsonScanError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

const TOP_LEVEL_FIELDS = ['id', 'title', 'summary', 'source', 'statement', 'hypotheses', 'delta', 'exponents', 'parameters'] as const;
const PARAMETER_FIELDS = ['width', 'seeds', 'dataset', 'kappa', 'eta', 'steps', 'quantizer'] as const;
const EXPONENT_FIELDS = ['symbol', 'of', 'against', 'description'] as const;
const SYNTHETIC_FIELDS = ['synthetic', 'n', 'd', 'seed', 'noise'] as const;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validation state: the origin and the error factory for JSON paths. */
class Validator {
  constructor(private readonly origin: DefinitionOrigin) {}

  field(path: string): string {
    if (this.origin.fieldName) return this.origin.fieldName(path);
    return path === '' ? this.origin.name : `${this.origin.name}: ${path}`;
  }

  fail(path: string, value: unknown, message: string): never {
    throw new InvalidInputError(this.field(path), value, message);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, value, `must be a JSON object, got ${describeJson(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (allowed.includes(key)) continue;
      const close = closeMatches(key, allowed);
      const hint = close.length > 0 ? `did you mean ${close.map((name) => JSON.stringify(name)).join(' or ')}? ` : '';
      this.fail(path === '' ? key : `${path}.${key}`, key, `unknown field ${JSON.stringify(key)}; ${hint}allowed fields are ${allowed.join(', ')}`);
    }
    return record;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, value, `must be a non-empty string, got ${describeJson(value)}`);
    return value;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, value, `must be a finite number, got ${describeJson(value)}`);
    return value;
  }

  integer(value: unknown, path: string, low: number, high: number): number {
    const number = this.number(value, path);
    if (!Number.isInteger(number) || number < low || number > high) this.fail(path, value, `must be an integer from ${low} to ${high}, got ${formatValue(number)}`);
    return number;
  }

  range(value: unknown, path: string, check: (entry: unknown, entryPath: string) => number): ValueRange {
    if (Array.isArray(value)) {
      if (value.length !== 2) this.fail(path, value, `must be [min, max] or one number, got an array of ${value.length} entries`);
      const min = check(value[0], `${path}[0]`);
      const max = check(value[1], `${path}[1]`);
      if (min > max) this.fail(path, value, `has min ${formatValue(min)} > max ${formatValue(max)}; write [${formatValue(max)}, ${formatValue(min)}]`);
      return { min, max };
    }
    const fixed = check(value, path);
    return { min: fixed, max: fixed };
  }
}

/**
 * Validates a claim definition (a parsed claim file, or the object the CLI builds from
 * `--expr` and its flags) and converts it to a Claim and an InstanceSpace.
 * Throws InvalidInputError for a missing, unknown or mistyped field, a range with
 * min > max, an expression outside the grammar, an unknown symbol (with close matches), or
 * a statement whose symbols do not fit its kind.
 * Cost: parsing each expression once.
 */
export function claimFromDefinition(definition: unknown, origin: DefinitionOrigin): UserClaim {
  const check = new Validator(origin);
  const record = check.object(definition, '', TOP_LEVEL_FIELDS);
  for (const required of ['id', 'title', 'statement'] as const) {
    if (record[required] === undefined) check.fail(required, undefined, `is missing; a claim needs ${required === 'statement' ? 'a statement such as "dev_max_H0 <= 1 / sqrt(m)"' : `a ${required}`}`);
  }

  const id = check.string(record.id, 'id');
  if (!ID_PATTERN.test(id)) check.fail('id', id, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-" (at most 100 characters)');
  const title = check.string(record.title, 'title');
  const summary = record.summary === undefined ? title : check.string(record.summary, 'summary');
  const source = record.source === undefined ? null : check.string(record.source, 'source');

  let delta: number | undefined;
  if (record.delta !== undefined) {
    delta = check.number(record.delta, 'delta');
    if (!(delta > 0 && delta < 1)) check.fail('delta', delta, `must be a probability strictly between 0 and 1, such as 0.1, got ${formatValue(delta)}`);
  }

  const exponents = validateExponents(check, record.exponents);
  const exponentSymbols = exponents.map((exponent) => exponent.symbol);
  const allowed = [...MEASURED_SYMBOLS.map((symbol) => symbol.name), ...exponentSymbols];
  const hypotheses = validateHypotheses(check, record.hypotheses, allowed, exponentSymbols, delta);
  const statements = validateStatements(check, record.statement, allowed, exponentSymbols, delta);
  const space = validateParameters(check, record.parameters);

  // Rate fits are measured at the claim's level too, so the symbols they fit count.
  const usedSymbols = new Set<string>(exponents.map((exponent) => exponent.of));
  for (const hypothesis of hypotheses) parseUserStatement(hypothesis.expression, allowed, check.field('hypotheses')).symbols.forEach((name) => usedSymbols.add(name));
  for (const statement of statements) {
    if (statement.kind === 'bound') parseUserStatement(statement.expression, allowed, check.field('statement')).symbols.forEach((name) => usedSymbols.add(name));
  }

  const claim: Claim = {
    id,
    label: id,
    title,
    summary,
    provenance: source === null ? { kind: 'derived', note: 'claim written by the user' } : { kind: 'source-unverified', reference: source },
    hypotheses,
    ...(delta !== undefined ? { delta } : {}),
    statements,
    ...(exponents.length > 0 ? { exponents } : {}),
    measurement: requiredMeasurementLevel(usedSymbols),
    uses: [],
  };
  return { claim, space };
}

function validateExponents(check: Validator, value: unknown): ExponentSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) check.fail('exponents', value, `must be a list of { symbol, of, against }, got ${describeJson(value)}`);
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const path = `exponents[${index}]`;
    const record = check.object(entry, path, EXPONENT_FIELDS);
    const symbol = check.string(record.symbol, `${path}.symbol`);
    if (!IDENTIFIER_PATTERN.test(symbol)) check.fail(`${path}.symbol`, symbol, 'must be an identifier: a letter or "_", then letters, digits or "_"');
    if (findSymbol(symbol) !== undefined || Object.hasOwn(ALLOWED_FUNCTIONS, symbol) || Object.hasOwn(NAMED_CONSTANTS, symbol) || symbol in Object.prototype) {
      check.fail(`${path}.symbol`, symbol, `${JSON.stringify(symbol)} is already a measured symbol, a function or a constant; choose a new name such as slope_${symbol}`);
    }
    if (seen.has(symbol)) check.fail(`${path}.symbol`, symbol, `${JSON.stringify(symbol)} is declared twice; give each exponent its own symbol`);
    seen.add(symbol);

    const of = check.string(record.of, `${path}.of`);
    const info = findSymbol(of);
    if (info === undefined || info.level !== 'cell') {
      const cellSymbols = MEASURED_SYMBOLS.filter((candidate) => candidate.level === 'cell').map((candidate) => candidate.name);
      const close = closeMatches(of, cellSymbols);
      const hint = close.length > 0 ? `did you mean ${close.join(' or ')}? ` : '';
      check.fail(`${path}.of`, of, `${JSON.stringify(of)} is not a cell-level measured symbol; an exponent fits one value per width and seed. ${hint}Cell-level symbols: ${cellSymbols.join(', ')}`);
    }
    const against = record.against === undefined ? 'm' : record.against;
    if (against !== 'm' && against !== 'N') check.fail(`${path}.against`, against, `must be "m" (width) or "N" (parameter count), got ${describeJson(against)}`);
    const description = record.description === undefined ? `exponent of ${of} in ${against}` : check.string(record.description, `${path}.description`);
    return { symbol, of, against, description };
  });
}

function validateHypotheses(check: Validator, value: unknown, allowed: readonly string[], exponentSymbols: readonly string[], delta: number | undefined): HypothesisSpec[] {
  if (value === undefined) return [];
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry, index) => {
    const path = Array.isArray(value) ? `hypotheses[${index}]` : 'hypotheses';
    let expression: string;
    let description: string;
    if (typeof entry === 'string') {
      expression = check.string(entry, path);
      description = expression;
    } else {
      const record = check.object(entry, path, ['expression', 'description']);
      expression = check.string(record.expression, `${path}.expression`);
      description = record.description === undefined ? expression : check.string(record.description, `${path}.description`);
    }
    const parsed = parseUserStatement(expression, allowed, check.field(path));
    for (const name of parsed.symbols) {
      const level = findSymbol(name)?.level;
      if (level === 'step' || exponentSymbols.includes(name)) {
        check.fail(path, expression, `uses ${name}, ${level === 'step' ? 'a step-level symbol' : 'an exponent'}; a hypothesis decides whether a whole instance counts, so it may use run- and cell-level symbols only`);
      }
    }
    requireDeltaIfUsed(check, path, parsed, delta);
    return { expression, description };
  });
}

function validateStatements(check: Validator, value: unknown, allowed: readonly string[], exponentSymbols: readonly string[], delta: number | undefined): StatementSpec[] {
  const entries = Array.isArray(value) ? value : [value];
  if (entries.length === 0) check.fail('statement', value, 'is an empty list; give at least one statement');
  const ids = new Set<string>();
  return entries.map((entry, index) => {
    const path = Array.isArray(value) ? `statement[${index}]` : 'statement';
    const statement = validateStatement(check, entry, path, index, allowed, exponentSymbols, delta);
    if (ids.has(statement.id)) check.fail(`${path}.id`, statement.id, `the id ${JSON.stringify(statement.id)} is used twice; give each statement its own id`);
    ids.add(statement.id);
    return statement;
  });
}

function validateStatement(
  check: Validator,
  entry: unknown,
  path: string,
  index: number,
  allowed: readonly string[],
  exponentSymbols: readonly string[],
  delta: number | undefined,
): StatementSpec {
  const defaultId = `s${index + 1}`;
  if (typeof entry === 'string') return boundOrRate(check, path, defaultId, entry, entry, allowed, exponentSymbols, delta);

  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry) && 'exponent' in entry) {
    const record = check.object(entry, path, ['exponent', 'target', 'id', 'description']);
    const exponent = requireExponent(check, `${path}.exponent`, record.exponent, exponentSymbols);
    const target = check.number(record.target, `${path}.target`);
    const id = record.id === undefined ? defaultId : check.string(record.id, `${path}.id`);
    const description = record.description === undefined ? `${exponent} = ${target}` : check.string(record.description, `${path}.description`);
    return { kind: 'rate-target', id, exponent, target, description };
  }
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry) && 'overlap' in entry) {
    const record = check.object(entry, path, ['overlap', 'id', 'description']);
    const pair = record.overlap;
    if (!Array.isArray(pair) || pair.length !== 2) check.fail(`${path}.overlap`, pair, `must be a list of two exponent symbols, got ${describeJson(pair)}`);
    const first = requireExponent(check, `${path}.overlap[0]`, pair[0], exponentSymbols);
    const second = requireExponent(check, `${path}.overlap[1]`, pair[1], exponentSymbols);
    const id = record.id === undefined ? defaultId : check.string(record.id, `${path}.id`);
    const description = record.description === undefined ? `${first} ~ ${second}` : check.string(record.description, `${path}.description`);
    return { kind: 'overlap', id, exponents: [first, second], description };
  }

  const record = check.object(entry, path, ['expression', 'id', 'description']);
  const expression = check.string(record.expression, `${path}.expression`);
  const id = record.id === undefined ? defaultId : check.string(record.id, `${path}.id`);
  const description = record.description === undefined ? expression : check.string(record.description, `${path}.description`);
  return boundOrRate(check, path, id, expression, description, allowed, exponentSymbols, delta);
}

/** Classifies an inequality: a rate statement when it uses a declared exponent, else a bound. */
function boundOrRate(
  check: Validator,
  path: string,
  id: string,
  expression: string,
  description: string,
  allowed: readonly string[],
  exponentSymbols: readonly string[],
  delta: number | undefined,
): StatementSpec {
  const parsed = parseUserStatement(expression, allowed, check.field(path));
  requireDeltaIfUsed(check, path, parsed, delta);
  const usesExponent = parsed.symbols.some((name) => exponentSymbols.includes(name));
  if (!usesExponent) return { kind: 'bound', id, expression, description };

  const perCell = parsed.symbols.filter((name) => {
    const level = findSymbol(name)?.level;
    return level === 'cell' || level === 'step';
  });
  if (perCell.length > 0) {
    check.fail(path, expression, `mixes the exponent ${parsed.symbols.find((name) => exponentSymbols.includes(name))} with ${perCell.join(', ')}, measured per instance; a rate statement may use exponents and run-level symbols only`);
  }
  return { kind: 'rate', id, expression, description };
}

function requireExponent(check: Validator, path: string, value: unknown, exponentSymbols: readonly string[]): string {
  const name = check.string(value, path);
  if (!exponentSymbols.includes(name)) {
    const close = closeMatches(name, exponentSymbols);
    const declared = exponentSymbols.length > 0 ? `declared exponents: ${exponentSymbols.join(', ')}` : 'no exponent is declared';
    check.fail(path, name, `${JSON.stringify(name)} is not a declared exponent${close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : ''}; ${declared}. Declare it in "exponents" with its symbol and the measured symbol it fits`);
  }
  return name;
}

function requireDeltaIfUsed(check: Validator, path: string, parsed: ParsedStatement, delta: number | undefined): void {
  if (delta === undefined && parsed.symbols.includes('delta')) {
    check.fail(path, parsed.source, 'uses delta, but the claim sets no probability; add "delta": 0.1 (on the command line, --delta 0.1)');
  }
}

function validateParameters(check: Validator, value: unknown): InstanceSpace {
  const record = value === undefined ? {} : check.object(value, 'parameters', PARAMETER_FIELDS);
  const get = <K extends keyof ClaimFileParameters>(key: K): unknown => record[key] ?? DEFAULT_CLAIM_PARAMETERS[key as keyof typeof DEFAULT_CLAIM_PARAMETERS];

  const width = check.range(get('width'), 'parameters.width', (entry, path) => check.integer(entry, path, 1, MAX_WIDTH));
  const seed = check.range(get('seeds'), 'parameters.seeds', (entry, path) => check.integer(entry, path, 0, MAX_SEED));
  const kappa = check.range(get('kappa'), 'parameters.kappa', (entry, path) => {
    const number = check.number(entry, path);
    if (!(number > 0)) check.fail(path, number, `must be greater than 0, got ${formatValue(number)}`);
    return number;
  });
  let eta: number | null = null;
  if (record.eta !== undefined) {
    eta = check.number(record.eta, 'parameters.eta');
    if (!(eta > 0)) check.fail('parameters.eta', eta, `must be a step size greater than 0, got ${formatValue(eta)}`);
  }
  const steps = check.integer(get('steps'), 'parameters.steps', 1, 1_000_000);
  const quantizer = check.string(get('quantizer'), 'parameters.quantizer');
  const dataset = validateDataset(check, get('dataset'));
  return { width, seed, dataset, kappa, eta, steps, quantizer };
}

function validateDataset(check: Validator, value: unknown): DatasetSpace {
  const path = 'parameters.dataset';
  if (typeof value === 'string') return parseDatasetSpace(value, check.field(path));
  const record = check.object(value, path, SYNTHETIC_FIELDS);
  const target = check.string(record.synthetic, `${path}.synthetic`);
  if (!isSyntheticTarget(target)) check.fail(`${path}.synthetic`, target, `unknown synthetic target ${JSON.stringify(target)}; valid targets are ${SYNTHETIC_TARGETS.join(', ')}`);
  const size = check.range(record.n ?? DEFAULT_SYNTHETIC.size, `${path}.n`, (entry, entryPath) => check.integer(entry, entryPath, MIN_DATA_SIZE, MAX_SYNTHETIC_SIZE));
  const dimension = check.range(record.d ?? DEFAULT_SYNTHETIC.dimension, `${path}.d`, (entry, entryPath) => check.integer(entry, entryPath, 2, MAX_SYNTHETIC_DIMENSION));
  const seed = record.seed === undefined ? 0 : check.integer(record.seed, `${path}.seed`, 0, 2 ** 32 - 1);
  const noise = record.noise === undefined ? 0 : check.number(record.noise, `${path}.noise`);
  if (noise < 0) check.fail(`${path}.noise`, noise, `must be a standard deviation >= 0, got ${formatValue(noise)}`);
  return { kind: 'synthetic', target, size, dimension, seed, noise };
}

/** Size and dimension of a synthetic data set that gives neither, as `loadDataset` does. */
const DEFAULT_SYNTHETIC = { size: 64, dimension: 8 } as const;

// ---------------------------------------------------------------------------------------------
// Text forms shared with the command line

/**
 * Parses a data set spec into a space. A `synthetic:TARGET` spec becomes a synthetic space,
 * whose n and d may be ranges, e.g. `synthetic:sine:d=8..10:n=20..60:seed=0:noise=0`. Any
 * other spec (a bundled name, a .csv or .json path) is used as given and checked when the
 * data are loaded. Throws InvalidInputError with `field` for a malformed synthetic spec.
 */
export function parseDatasetSpace(spec: string, field: string): DatasetSpace {
  if (!spec.startsWith('synthetic:')) {
    if (spec.trim() === '') throw new InvalidInputError(field, spec, 'is empty; give a bundled name such as iris, a synthetic spec or a file path');
    return { kind: 'fixed', spec };
  }
  const [, target = '', ...parts] = spec.split(':');
  if (!isSyntheticTarget(target)) {
    throw new InvalidInputError(field, spec, `unknown synthetic target ${JSON.stringify(target)}; valid targets are ${SYNTHETIC_TARGETS.join(', ')}, e.g. synthetic:sine:d=8..10:n=20..60`);
  }
  const values = new Map<string, string>();
  for (const part of parts) {
    const match = /^(d|n|seed|noise)=(.+)$/.exec(part);
    if (match === null) {
      throw new InvalidInputError(field, spec, `part ${JSON.stringify(part)} is not key=value with key d, n, seed or noise; write e.g. synthetic:sine:d=8..10:n=20..60:seed=0`);
    }
    if (values.has(match[1])) throw new InvalidInputError(field, spec, `key ${match[1]} appears twice; give it once`);
    values.set(match[1], match[2]);
  }
  const size = parseRangeText(values.get('n') ?? String(DEFAULT_SYNTHETIC.size), `${field} n`, { integer: true, min: MIN_DATA_SIZE, max: MAX_SYNTHETIC_SIZE });
  const dimension = parseRangeText(values.get('d') ?? String(DEFAULT_SYNTHETIC.dimension), `${field} d`, { integer: true, min: 2, max: MAX_SYNTHETIC_DIMENSION });
  const seed = parseRangeText(values.get('seed') ?? '0', `${field} seed`, { integer: true, min: 0, max: 2 ** 32 - 1 });
  const noise = parseRangeText(values.get('noise') ?? '0', `${field} noise`, { integer: false, min: 0, max: Number.MAX_VALUE });
  if (seed.min !== seed.max || noise.min !== noise.max) {
    throw new InvalidInputError(field, spec, 'seed and noise of a synthetic spec take one value each; only d and n may be ranges');
  }
  return { kind: 'synthetic', target, size, dimension, seed: seed.min, noise: noise.min };
}

/** Formats a data set space in the spec syntax that {@link parseDatasetSpace} reads. */
export function formatDatasetSpace(dataset: DatasetSpace): string {
  if (dataset.kind === 'fixed') return dataset.spec;
  return `synthetic:${dataset.target}:d=${formatRange(dataset.dimension)}:n=${formatRange(dataset.size)}:seed=${dataset.seed}:noise=${dataset.noise}`;
}

/** Formats a range as `min..max`, or one number when fixed. */
export function formatRange(range: ValueRange): string {
  return range.min === range.max ? String(range.min) : `${range.min}..${range.max}`;
}

/**
 * Parses `MIN..MAX` or one number, e.g. `64..4096`, `1e-6..0.5` or `1`. Throws
 * InvalidInputError naming `field` for text that is not a number, a non-integer where
 * `integer` is set, a value outside [min, max], or a range with MIN > MAX.
 */
export function parseRangeText(text: string, field: string, limits: { readonly integer: boolean; readonly min: number; readonly max: number }): ValueRange {
  const parts = text.split('..');
  if (parts.length > 2) throw new InvalidInputError(field, text, `expected MIN..MAX or one number, such as 64..4096, got ${JSON.stringify(text)}`);
  const values = parts.map((part) => {
    const trimmed = part.trim();
    const value = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(value)) throw new InvalidInputError(field, text, `expected MIN..MAX or one number, such as 64..4096; ${JSON.stringify(part)} is not a finite number`);
    if (limits.integer && !Number.isInteger(value)) throw new InvalidInputError(field, text, `expected integers, got ${formatValue(value)}`);
    if (value < limits.min || value > limits.max) throw new InvalidInputError(field, text, `each value must be from ${formatValue(limits.min)} to ${formatValue(limits.max)}, got ${formatValue(value)}`);
    return value;
  });
  const [min, max = min] = values;
  if (min > max) throw new InvalidInputError(field, text, `has MIN ${formatValue(min)} > MAX ${formatValue(max)}; write ${formatValue(max)}..${formatValue(min)}`);
  return { min, max };
}

/**
 * Parses a user's statement like `parseStatement`, and when it names an unknown symbol,
 * replaces the full list of allowed symbols in the error by the closest matches and a
 * pointer to `bitbound claim --symbols`.
 */
export function parseUserStatement(text: string, allowed: readonly string[], field: string): ParsedStatement {
  try {
    return parseStatement(text, allowed, { field, latexNames: symbolLatexNames() });
  } catch (error) {
    throw withCloseMatches(error, text, allowed, field);
  }
}

/**
 * Rewrites an unknown-symbol ExpressionInputError into a short one that names the symbol,
 * its position and the closest allowed names; returns any other error unchanged.
 */
export function withCloseMatches(error: unknown, text: string, allowed: readonly string[], field: string): unknown {
  if (!(error instanceof ExpressionInputError) || error.token === null) return error;
  const token = error.token;
  if (!IDENTIFIER_PATTERN.test(token) || allowed.includes(token) || !/unknown symbol/.test(error.message)) return error;
  const close = closeMatches(token, allowed);
  const at = error.position !== null ? ` at character ${error.position}` : '';
  const hint = close.length > 0 ? `did you mean ${close.join(', ')}? ` : '';
  return new ExpressionInputError(field, text, `unknown symbol "${token}"${at}; ${hint}run bitbound claim --symbols for every measured symbol`, error.position, token);
}

/**
 * Returns up to `limit` names of `candidates` closest to `name` by edit distance
 * (Levenshtein, case-insensitive), keeping those within a third of the longer name's length
 * or sharing a prefix of 4 or more characters. Cost: O(|name| * |candidate|) per candidate.
 */
export function closeMatches(name: string, candidates: readonly string[], limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored = candidates.map((candidate) => {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const sharedPrefix = commonPrefixLength(lower, other);
    const close = distance <= Math.max(1, Math.floor(Math.max(lower.length, other.length) / 3)) || sharedPrefix >= 4;
    return { candidate, distance, close };
  });
  return scored
    .filter((entry) => entry.close)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}

/** Describes a JSON value's type for messages: `a string ("0.1")`, `an array`, `null`. */
function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${String(value)})`;
}
