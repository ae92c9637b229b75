/**
 * Reading a check report for the theorem pages. The file must be the JSON written by
 * `bitbound check` in the report format this version reads. Every field the pages use is
 * checked, so a truncated or hand-edited file fails with the field that is wrong instead of
 * a page with holes.
 */
import fs from 'node:fs';
import type { Verdict } from '../claims/claim.js';
import { InvalidInputError } from '../errors.js';
import { REPORT_FORMAT_VERSION, type CheckReport } from '../report/report.js';
import { VERDICT_STYLES } from './verdicts.js';

/** A report read from a file, with the file's modification time. */
export interface ReportFile {
  readonly report: CheckReport;
  readonly path: string;
  /** Modification time of the file; the report itself carries no date, so that it stays reproducible. */
  readonly modified: Date;
}

const KNOWN_VERDICTS: readonly string[] = VERDICT_STYLES.map((style) => style.verdict);

/**
 * Reads and checks the report at `path`.
 * Throws InvalidInputError (field `--report`) when the file is missing, unreadable, not
 * JSON, or not a report of format {@link REPORT_FORMAT_VERSION}. The message names the path
 * and the field, and tells the user to run `bitbound check` first.
 */
export function readReportFile(path: string): ReportFile {
  let text: string;
  let modified: Date;
  try {
    text = fs.readFileSync(path, 'utf8');
    modified = fs.statSync(path).mtime;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    let reason = `could not be read (${code ?? String(error)})`;
    if (code === 'ENOENT') reason = 'not found';
    if (code === 'EISDIR') reason = 'is a directory';
    throw new InvalidInputError('--report', path, `report file ${path} ${reason}; run \`bitbound check\` first to write it, or pass --report PATH`);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError('--report', path, `report file ${path} is not valid JSON (${detail}); run \`bitbound check\` first to write it again`);
  }
  return { report: validateReport(value, path), path, modified };
}

/**
 * Checks that `value` has the shape of a CheckReport in every field the pages read, and
 * returns it typed. `source` names the file in messages.
 * Throws InvalidInputError naming the first wrong field.
 */
export function validateReport(value: unknown, source: string): CheckReport {
  const check = new FieldChecker(source);
  const report = check.object(value, '');
  const format = check.number(report.format, 'format');
  if (format !== REPORT_FORMAT_VERSION) {
    check.fail('format', `is ${format}, but this bitbound reads report format ${REPORT_FORMAT_VERSION}`);
  }
  const tool = check.object(report.tool, 'tool');
  if (tool.name !== 'bitbound') check.fail('tool.name', `is ${JSON.stringify(tool.name)}, expected "bitbound"`);
  check.string(tool.version, 'tool.version');
  check.string(report.command, 'command');

  const options = check.object(report.options, 'options');
  check.array(options.widths, 'options.widths').forEach((width, index) => check.number(width, `options.widths[${index}]`));
  for (const key of ['seeds', 'confidence', 'bootstrapReplicates', 'kappa', 'sigma', 'steps']) check.number(options[key], `options.${key}`);

  const data = check.object(report.data, 'data');
  for (const key of ['name', 'source']) check.string(data[key], `data.${key}`);
  for (const key of ['trainSize', 'testSize', 'dimension']) check.number(data[key], `data.${key}`);
  check.array(data.cleaning, 'data.cleaning').forEach((line, index) => check.string(line, `data.cleaning[${index}]`));

  const run = check.object(report.run, 'run');
  check.nullableNumber(run.learningRate, 'run.learningRate');
  check.object(run.symbols, 'run.symbols');
  for (const key of ['limitFp', 'limitOneBit']) check.object(run[key], `run.${key}`);
  check.string(check.object(run.signLimit, 'run.signLimit').method, 'run.signLimit.method');

  const claims = check.array(report.claims, 'claims');
  if (claims.length === 0) check.fail('claims', 'is empty');
  const ids = new Set<string>();
  claims.forEach((entry, index) => {
    const id = validateClaim(check, entry, `claims[${index}]`);
    if (ids.has(id)) check.fail(`claims[${index}].id`, `repeats the id ${JSON.stringify(id)}`);
    ids.add(id);
  });

  check.array(report.curves, 'curves').forEach((entry, index) => {
    const curve = check.object(entry, `curves[${index}]`);
    check.number(curve.width, `curves[${index}].width`);
    for (const key of ['t', 'lossFp', 'lossOneBit', 'lossLinearFp', 'lossLinearOneBit']) check.array(curve[key], `curves[${index}].${key}`);
  });
  check.array(report.cells, 'cells').forEach((entry, index) => {
    const cell = check.object(entry, `cells[${index}]`);
    check.number(cell.width, `cells[${index}].width`);
    check.number(cell.seed, `cells[${index}].seed`);
    check.object(cell.values, `cells[${index}].values`);
  });
  return value as CheckReport;
}

function validateClaim(check: FieldChecker, value: unknown, path: string): string {
  const claim = check.object(value, path);
  const id = check.string(claim.id, `${path}.id`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) check.fail(`${path}.id`, `is ${JSON.stringify(id)}; a claim id has letters, digits, '-', '_' and '.' only`);
  for (const key of ['label', 'title', 'summary', 'keyNumbers']) check.string(claim[key], `${path}.${key}`);
  check.verdict(claim.verdict, `${path}.verdict`);
  const provenance = check.object(claim.provenance, `${path}.provenance`);
  check.string(provenance.kind, `${path}.provenance.kind`);
  check.array(claim.uses, `${path}.uses`).forEach((use, index) => check.string(use, `${path}.uses[${index}]`));
  check.nullableNumber(claim.delta, `${path}.delta`);
  check.nullableNumber(claim.looseness, `${path}.looseness`);

  check.array(claim.statements, `${path}.statements`).forEach((entry, index) => {
    const statementPath = `${path}.statements[${index}]`;
    const statement = check.object(entry, statementPath);
    for (const key of ['id', 'kind', 'description', 'expression']) check.string(statement[key], `${statementPath}.${key}`);
    check.verdict(statement.verdict, `${statementPath}.verdict`);
  });
  check.array(claim.hypotheses, `${path}.hypotheses`).forEach((entry, index) => {
    const hypothesis = check.object(entry, `${path}.hypotheses[${index}]`);
    for (const key of ['expression', 'description']) check.string(hypothesis[key], `${path}.hypotheses[${index}].${key}`);
    for (const key of ['met', 'total']) check.number(hypothesis[key], `${path}.hypotheses[${index}].${key}`);
  });
  check.array(claim.exponents, `${path}.exponents`).forEach((entry, index) => {
    const exponentPath = `${path}.exponents[${index}]`;
    const exponent = check.object(entry, exponentPath);
    for (const key of ['symbol', 'of', 'against', 'description']) check.string(exponent[key], `${exponentPath}.${key}`);
    for (const key of ['estimate', 'lower', 'upper']) check.nullableNumber(exponent[key], `${exponentPath}.${key}`);
    const widths = check.array(exponent.widths, `${exponentPath}.widths`);
    const means = check.array(exponent.geometricMeans, `${exponentPath}.geometricMeans`);
    if (widths.length !== means.length) check.fail(`${exponentPath}.geometricMeans`, `has ${means.length} values for ${widths.length} widths`);
  });
  check.array(claim.widths, `${path}.widths`);
  check.array(claim.divergences, `${path}.divergences`);
  check.array(claim.sweeps, `${path}.sweeps`).forEach((entry, index) => {
    const sweep = check.object(entry, `${path}.sweeps[${index}]`);
    for (const key of ['kind', 'variable']) check.string(sweep[key], `${path}.sweeps[${index}].${key}`);
    check.array(sweep.rows, `${path}.sweeps[${index}].rows`);
    check.array(sweep.exponents, `${path}.sweeps[${index}].exponents`);
  });
  return id;
}

/** Field checks that throw InvalidInputError with the source file and the field path. */
class FieldChecker {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    const field = path === '' ? 'the top level' : `field ${path}`;
    throw new InvalidInputError(
      '--report',
      this.source,
      `report file ${this.source} is not a bitbound check report of format ${REPORT_FORMAT_VERSION}: ${field} ${problem}; run \`bitbound check\` first to write it again`,
    );
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, value === undefined ? 'is missing' : 'is not an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, value === undefined ? 'is missing' : 'is not an array');
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, value === undefined ? 'is missing' : 'is not a string');
    return value;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== 'number') this.fail(path, value === undefined ? 'is missing' : 'is not a number');
    return value;
  }

  nullableNumber(value: unknown, path: string): number | null {
    if (value === null) return null;
    return this.number(value, path);
  }

  verdict(value: unknown, path: string): Verdict {
    const verdict = this.string(value, path);
    if (!KNOWN_VERDICTS.includes(verdict)) this.fail(path, `is ${JSON.stringify(verdict)}, not one of ${KNOWN_VERDICTS.join(', ')}`);
    return verdict as Verdict;
  }
}
