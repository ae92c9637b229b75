/**
 * The check report: a plain JSON-ready object built from a check result. It carries the
 * options, the data and its cleaning, the run-level quantities, and for every claim its
 * verdict with the evidence behind it. It holds no times, host names or absolute paths, so
 * the same options give the same report byte for byte.
 */
import type { Verdict } from '../claims/claim.js';
import type { CellMeasurement } from '../check/cell.js';
import type { CheckResult, SweepResult } from '../check/runner.js';
import type { ClaimEvaluation } from '../check/evaluate.js';
import { CHECK_OPTION_FLAGS, DEFAULT_CHECK_OPTIONS, type CheckOptions } from '../check/options.js';
import { TOOL_VERSION } from '../version.js';

/** Format version of the report; bumped when a field changes meaning. */
export const REPORT_FORMAT_VERSION = 1;

/** The JSON report of `bitbound check`. */
export interface CheckReport {
  readonly format: number;
  readonly tool: { readonly name: 'bitbound'; readonly version: string };
  /** A command that reproduces this report. */
  readonly command: string;
  readonly options: CheckOptions;
  readonly data: {
    readonly name: string;
    readonly source: string;
    readonly cleaning: readonly string[];
    readonly trainSize: number;
    readonly testSize: number;
    readonly dimension: number;
  };
  readonly run: {
    readonly learningRate: number;
    readonly signLimit: CheckResult['context']['signLimitMethod'];
    readonly limitFp: { readonly lambdaMin: number; readonly lambdaMax: number; readonly conditionNumber: number | null; readonly nearSingular: boolean; readonly rank: number };
    readonly limitOneBit: { readonly lambdaMin: number; readonly lambdaMax: number; readonly conditionNumber: number | null; readonly nearSingular: boolean; readonly rank: number };
    readonly symbols: Readonly<Record<string, number>>;
  };
  readonly claims: readonly ClaimReport[];
  /** Mean loss curves per width over the trained seeds (geometric means), for figures. */
  readonly curves: readonly { width: number; t: number[]; lossFp: number[]; lossOneBit: number[]; lossLinearFp: number[]; lossLinearOneBit: number[] }[];
  /** Per-cell measurements of cell-level symbols, for figures and reanalysis. */
  readonly cells: readonly { width: number; seed: number; level: string; values: Record<string, number>; divergence: CellMeasurement['divergence'] }[];
  readonly verdicts: Readonly<Record<string, Verdict>>;
}

/** One claim in the report. */
export interface ClaimReport extends ClaimEvaluation {
  readonly id: string;
  readonly label: string;
  readonly title: string;
  readonly summary: string;
  readonly provenance: CheckResult['claims'][number]['claim']['provenance'];
  readonly uses: readonly string[];
  readonly delta: number | null;
  readonly sweeps: readonly SweepResult[];
  /** One line of the key numbers, as printed in the verdict table. */
  readonly keyNumbers: string;
  /** Tightest looseness RHS / LHS over the claim's bound statements, or null. */
  readonly looseness: number | null;
}

/** Builds the report of a check result. */
export function buildReport(result: CheckResult, claimArguments: readonly string[]): CheckReport {
  const { context, options } = result;
  const claims = result.claims.map(({ claim, evaluation, sweeps }) => ({
    id: claim.id,
    label: claim.label,
    title: claim.title,
    summary: claim.summary,
    provenance: claim.provenance,
    uses: claim.uses,
    delta: claim.delta ?? null,
    ...evaluation,
    sweeps,
    keyNumbers: keyNumbers(evaluation, sweeps, claim.delta ?? null),
    looseness: tightestLooseness(evaluation),
  }));

  const report: CheckReport = {
    format: REPORT_FORMAT_VERSION,
    tool: { name: 'bitbound', version: TOOL_VERSION },
    command: reproductionCommand(options, claimArguments),
    options,
    data: {
      name: context.dataset.name,
      source: context.dataset.source,
      cleaning: context.dataset.cleaning,
      trainSize: context.train.rows,
      testSize: context.test.rows,
      dimension: context.dataset.dimension,
    },
    run: {
      learningRate: context.learningRate,
      signLimit: context.signLimitMethod,
      limitFp: { ...context.limitSpectrumFp, rank: context.limitRanks.fp },
      limitOneBit: { ...context.limitSpectrumOneBit, rank: context.limitRanks.oneBit },
      symbols: context.runSymbols,
    },
    claims,
    curves: meanCurves(result.cells),
    cells: result.cells.map((cell) => ({ width: cell.width, seed: cell.seed, level: cell.level, values: cell.values, divergence: cell.divergence })),
    verdicts: Object.fromEntries(claims.map((claim) => [claim.label, claim.verdict])),
  };
  return sanitize(report) as CheckReport;
}

/** Serializes a report: two-space indentation, a final newline. */
export function serializeReport(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Returns the `bitbound check` command line that reproduces a run: claims plus every option that differs from its default. */
export function reproductionCommand(options: CheckOptions, claimArguments: readonly string[]): string {
  const parts = ['bitbound', 'check', ...claimArguments];
  for (const [key, flag] of CHECK_OPTION_FLAGS) {
    // The memory limit decides only whether a run starts, never what it measures.
    if (key === 'memoryLimitBytes') continue;
    const value = options[key];
    const defaultValue = DEFAULT_CHECK_OPTIONS[key];
    if (JSON.stringify(value) === JSON.stringify(defaultValue) || value === null) continue;
    parts.push(flag, Array.isArray(value) ? value.join(',') : String(value));
  }
  return parts.map(quoteArgument).join(' ');
}

function quoteArgument(argument: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

function keyNumbers(evaluation: ClaimEvaluation, sweeps: readonly SweepResult[], delta: number | null): string {
  const parts: string[] = [];
  const bounds = evaluation.statements.filter((statement) => statement.kind === 'bound');
  const evaluated = Math.max(0, ...bounds.map((statement) => statement.trials?.evaluated ?? 0));
  if (evaluated > 0) {
    const failures = Math.max(...bounds.map((statement) => statement.trials?.failures ?? 0));
    const upper = Math.max(...bounds.map((statement) => statement.failureRateInterval?.upper ?? 0));
    parts.push(delta !== null ? `${failures}/${evaluated} trials failed, failure rate <= ${fixed(upper, 3)} (delta ${delta})` : `${failures}/${evaluated} trials failed`);
  }
  parts.push(...claimNotes(evaluation, sweeps));
  for (const exponent of evaluation.exponents.slice(0, 2)) parts.push(formatExponent(exponent));
  return parts.join('; ');
}

/** Notes about a whole claim: unmet hypotheses with their thresholds, divergences and sweep exponents. */
export function claimNotes(evaluation: ClaimEvaluation, sweeps: readonly SweepResult[]): string[] {
  const notes: string[] = [];
  for (const hypothesis of evaluation.hypotheses) {
    if (hypothesis.met === hypothesis.total) continue;
    const threshold = hypothesis.threshold !== null ? `${hypothesis.expression.split(/\s/)[0]} ${relationOf(hypothesis.expression)} ${short(hypothesis.threshold)}` : hypothesis.expression;
    notes.push(`hypothesis ${threshold} met by ${hypothesis.met}/${hypothesis.total} trials`);
  }
  if (evaluation.divergences.length > 0) {
    const first = evaluation.divergences[0];
    notes.push(`${evaluation.divergences.length} runs diverged (first: ${first.net} at m = ${first.width}, seed ${first.seed}, step ${first.step}); lower --eta`);
  }
  for (const sweep of sweeps) {
    for (const exponent of sweep.exponents) notes.push(formatExponent(exponent));
  }
  return notes;
}

/** Formats an exponent as `symbol estimate [lower, upper]`. */
export function formatExponent(exponent: { symbol: string; estimate: number; lower: number; upper: number }): string {
  return `${exponent.symbol} ${fixed(exponent.estimate, 3)} [${fixed(exponent.lower, 3)}, ${fixed(exponent.upper, 3)}]`;
}

function relationOf(expression: string): string {
  return /<=|>=|<|>/.exec(expression)?.[0] ?? '?';
}

function tightestLooseness(evaluation: ClaimEvaluation): number | null {
  const values = evaluation.statements.map((statement) => statement.looseness?.min).filter((value): value is number => value !== undefined && value !== null);
  return values.length > 0 ? Math.min(...values) : null;
}

function meanCurves(cells: readonly CellMeasurement[]): CheckReport['curves'] {
  const widths = [...new Set(cells.filter((cell) => cell.curves !== null).map((cell) => cell.width))].sort((a, b) => a - b);
  return widths.map((width) => {
    const atWidth = cells.filter((cell) => cell.width === width && cell.curves !== null && cell.divergence === null);
    const t = atWidth[0]?.curves?.t ?? [];
    const mean = (key: 'lossFp' | 'lossOneBit' | 'lossLinearFp' | 'lossLinearOneBit'): number[] =>
      t.map((_, index) => Math.exp(atWidth.reduce((sum, cell) => sum + Math.log(Math.max(cell.curves![key][index], Number.MIN_VALUE)), 0) / atWidth.length));
    return { width, t, lossFp: mean('lossFp'), lossOneBit: mean('lossOneBit'), lossLinearFp: mean('lossLinearFp'), lossLinearOneBit: mean('lossLinearOneBit') };
  });
}

/** Formats a number with `digits` decimals, or in exponent form when tiny or huge. */
export function fixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 10 ** -digits || Math.abs(value) >= 1e6)) return value.toExponential(2);
  return value.toFixed(digits);
}

/** Formats a number with three significant digits. */
export function short(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

/** Replaces non-finite numbers by null, so the JSON never carries NaN or Infinity in disguise. */
function sanitize(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(sanitize);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (entry) => sanitize(entry));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined).map(([key, entry]) => [key, sanitize(entry)]));
  }
  return value;
}
