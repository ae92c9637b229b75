/**
 * `bitbound claim`: tests a claim written by the user, as a JSON claim file or as `--expr`
 * statements, by property testing over random instances (see `check/property.ts`). It also
 * offers symbolic tools on the statements: LaTeX, derivatives, solving for a symbol, and
 * certifying a sign on a box by interval arithmetic.
 *
 * Exit status: 0 when the claim was not shown false; 1 when it was violated, refuted or
 * inconsistent (a replayed instance that fails counts as violated); 2 for invalid usage or
 * input. For `--certify`, 0 only when the sign is certified on the whole box; 1 for a
 * counterexample and also for `undecided`, because an unfinished proof is no proof.
 */
import { Command, Option } from 'commander';
import {
  DEFAULT_CLAIM_PARAMETERS,
  MAX_SEED,
  claimFromDefinition,
  formatDatasetSpace,
  formatRange,
  loadClaimFile,
  parseRangeText,
  parseUserStatement,
  withCloseMatches,
  closeMatches,
  type UserClaim,
} from '../claims/claim-file.js';
import { parseExpression, type ParsedExpression, type ParsedStatement } from '../claims/expression.js';
import { certifySign, interval, DEFAULT_CERTIFY_MAX_DEPTH, DEFAULT_CERTIFY_MAX_BOXES, type Box, type SignClaim } from '../claims/interval.js';
import { differentiate, solveForSymbol } from '../claims/symbolic.js';
import { MEASURED_SYMBOLS, symbolLatexNames } from '../claims/symbols.js';
import type { Verdict } from '../claims/claim.js';
import { MAX_WIDTH } from '../check/options.js';
import {
  DEFAULT_GRID_SEEDS,
  DEFAULT_GRID_WIDTHS,
  DEFAULT_MAX_TRIALS,
  DEFAULT_SEARCH_RUNS,
  DEFAULT_TRIAL_BATCH,
  describeInstance,
  runClaimProperty,
  type BoundReplayResult,
  type BoundSearchResult,
  type BoundTrialsResult,
  type ClaimPropertyResult,
  type EvidenceInstance,
  type InstanceOutcome,
  type InstanceSpace,
  type RateResult,
  type ReplayAddress,
} from '../check/property.js';
import { InvalidInputError } from '../errors.js';
import { short } from '../report/report.js';
import { parseIntegerOption, parseNumberOption } from './parse.js';
import { checkInputFile } from './paths.js';

/** Output streams and exit status of the command; tests pass collectors. */
export interface ClaimCommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Sets the exit status for a claim shown false or a sign not certified. */
  setExitCode(code: number): void;
  /** True when progress lines should be drawn on stderr (a terminal). */
  readonly progress?: boolean;
}

const PROCESS_OUTPUT: ClaimCommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  progress: process.stderr.isTTY === true,
};

/** Verdicts that make `bitbound claim` exit with status 1. */
export const CLAIM_FAILING_VERDICTS: readonly Verdict[] = ['violated', 'refuted', 'inconsistent'];

const SIGNS = ['positive', 'negative', 'nonnegative', 'nonpositive'] as const;

/** Default bracket of `--solve`; `solveForSymbol` widens a positive bracket by factors of 10 when the root lies outside. */
const DEFAULT_SOLVE_BRACKET = '1..1e6';

/** Flags of the command, as commander resolves them. */
interface ClaimFlags {
  symbols?: boolean;
  expr?: string[];
  hypothesis?: string[];
  delta?: number;
  exponent?: string[];
  rateTarget?: string[];
  widths?: string;
  seeds?: string;
  dataset?: string;
  kappa?: string;
  eta?: number;
  steps?: number;
  quantizer?: string;
  seed: number;
  runs?: number;
  maxTrials: number;
  batch: number;
  confidence: number;
  gridWidths: number;
  gridSeeds: number;
  replicates: number;
  replay?: string;
  workers: number;
  json?: boolean;
  latex?: boolean;
  derivative?: string;
  solve?: string;
  target?: string;
  at?: string;
  bracket: string;
  certify?: boolean;
  of?: string;
  box?: string;
  sign?: SignClaim;
  depth: number;
  maxBoxes: number;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const DEFAULTS = DEFAULT_CLAIM_PARAMETERS;

/** Builds the `claim` command. */
export function createClaimCommand(output: ClaimCommandOutput = PROCESS_OUTPUT): Command {
  return new Command('claim')
    .description('property-test a claim (a JSON claim file or --expr statements) on random instances, or apply symbolic tools to it')
    .argument('[file]', 'JSON claim file (see docs/writing-claims.md)')
    .option('--symbols', 'list every measured symbol with its level, unit and description')
    .option('--expr <statement>', 'a statement over measured symbols, e.g. "dev_max_H0 <= 1 / sqrt(m)"; repeat for several', collect)
    .option('--hypothesis <statement>', 'with --expr: an instance counts only when this holds; repeatable', collect)
    .option('--delta <D>', 'with --expr: the claim holds with probability at least 1 - D', parseNumberOption('--delta'))
    .option('--exponent <SYMBOL:OF[:AGAINST]>', 'with --expr: declare an exponent, the slope of log OF against log m (or N); repeatable', collect)
    .option('--rate-target <SYMBOL=VALUE>', 'with --expr: the exponent SYMBOL must be consistent with VALUE; repeatable', collect)
    .option('--widths <MIN..MAX>', `with --expr: range of widths m, drawn log-uniformly (default ${DEFAULTS.width.join('..')})`)
    .option('--seeds <MIN..MAX>', `with --expr: range of initialization seeds (default ${DEFAULTS.seeds.join('..')})`)
    .option('--dataset <spec>', `with --expr: iris, cars, penguins, a .csv/.json file, or synthetic:TARGET:d=D1..D2:n=N1..N2 (default ${DEFAULTS.dataset})`)
    .option('--kappa <X or MIN..MAX>', `with --expr: output scale kappa, a value or a log-uniform range (default ${DEFAULTS.kappa})`)
    .option('--eta <x>', 'with --expr: step size (default 1 / lambda_max of Hstar)', parseNumberOption('--eta'))
    .option('--steps <T>', `with --expr: training steps (default ${DEFAULTS.steps})`, parseIntegerOption('--steps'))
    .option('--quantizer <name>', `with --expr: weight quantizer of the 1-bit net (default ${DEFAULTS.quantizer})`)
    .option('--seed <seed>', 'fast-check seed of the search or of the trial sampling', parseIntegerOption('--seed'), 0)
    .option('--runs <n>', `instances of a search for a claim without delta (default ${DEFAULT_SEARCH_RUNS.initialization} at initialization, ${DEFAULT_SEARCH_RUNS.training} with training)`, parseIntegerOption('--runs'))
    .option('--max-trials <n>', 'budget of measured instances for a claim with delta', parseIntegerOption('--max-trials'), DEFAULT_MAX_TRIALS)
    .option('--batch <n>', 'trials between two looks at the Clopper-Pearson verdict', parseIntegerOption('--batch'), DEFAULT_TRIAL_BATCH)
    .option('--confidence <level>', 'overall confidence of Clopper-Pearson and bootstrap intervals', parseNumberOption('--confidence'), 0.95)
    .option('--grid-widths <n>', 'widths of the grid on which exponents are fitted, log-spaced over the width range', parseIntegerOption('--grid-widths'), DEFAULT_GRID_WIDTHS)
    .option('--grid-seeds <n>', 'seeds per width of that grid', parseIntegerOption('--grid-seeds'), DEFAULT_GRID_SEEDS)
    .option('--replicates <n>', 'bootstrap replicates of the exponent fits', parseIntegerOption('--replicates'), 1000)
    .option('--replay <SEED:PATH>', 'measure only the instance at this fast-check address, as printed by a failed run')
    .option('--workers <n>', 'worker threads for the exponent grid', parseIntegerOption('--workers'), 1)
    .option('--json', 'print the result as JSON instead of text')
    .option('--latex', 'print the LaTeX of each statement')
    .option('--derivative <symbol>', 'print the derivative of each expression (each side of a statement) in this symbol')
    .option('--solve <symbol>', 'solve expression = --target for this symbol (a statement: its margin = 0)')
    .option('--target <value>', 'with --solve: target value, a number or an expression over the --at symbols')
    .option('--at <list>', 'with --solve: values of the other symbols, e.g. "n=100,delta=0.1,kappa=1"')
    .option('--bracket <LO..HI>', 'with --solve: initial bracket of the root', DEFAULT_SOLVE_BRACKET)
    .option('--certify', 'prove the sign of the expression (a statement: that it holds) on --box by interval arithmetic')
    .option('--of <what>', 'with --certify: "value" (default) or derivative:SYMBOL')
    .option('--box <list>', 'with --certify: ranges and values, e.g. "m=10..1e6,n=2..1000,delta=1e-6..0.5,kappa=1"')
    .addOption(new Option('--sign <sign>', 'with --certify: sign to prove (default for a statement: it holds)').choices(SIGNS))
    .option('--depth <d>', 'with --certify: maximum bisection depth', parseIntegerOption('--depth'), DEFAULT_CERTIFY_MAX_DEPTH)
    .option('--max-boxes <n>', 'with --certify: maximum number of boxes examined', parseIntegerOption('--max-boxes'), DEFAULT_CERTIFY_MAX_BOXES)
    .action(async (file: string | undefined, flags: ClaimFlags) => {
      if (flags.symbols) {
        output.stdout(renderSymbols());
        return;
      }
      if ((file === undefined) === (flags.expr === undefined)) {
        throw new InvalidInputError('claim', file ?? '', 'give either a claim FILE or --expr STATEMENT (not both), or --symbols to list the measured symbols');
      }
      if (file !== undefined) {
        rejectExpressionFlags(flags);
        checkInputFile('claim file', file, 'the path of a JSON claim file (see docs/writing-claims.md)');
      }

      if (flags.latex || flags.derivative !== undefined || flags.solve !== undefined || flags.certify) {
        if (flags.json || flags.replay !== undefined) {
          throw new InvalidInputError(flags.json ? '--json' : '--replay', true, 'applies to property runs only, not to --latex, --derivative, --solve or --certify');
        }
        const items = file !== undefined ? fileItems(loadClaimFile(file)) : expressionItems(flags);
        runSymbolicTools(items, flags, output);
        return;
      }

      const loaded = file !== undefined ? loadClaimFile(file) : claimFromDefinition(definitionFromFlags(flags), { name: '--expr', fieldName: flagForPath });
      const replay = flags.replay === undefined ? undefined : parseReplay(flags.replay);
      let result: ClaimPropertyResult;
      try {
        result = await runClaimProperty(loaded.claim, loaded.space, {
          seed: flags.seed,
          ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
          maxTrials: flags.maxTrials,
          batchSize: flags.batch,
          confidence: flags.confidence,
          gridWidths: flags.gridWidths,
          gridSeeds: flags.gridSeeds,
          bootstrapReplicates: flags.replicates,
          workers: flags.workers,
          ...(replay !== undefined ? { replay } : {}),
          ...(output.progress ? { onProgress: (message: string) => output.stderr(`\r\x1b[K${message}`) } : {}),
        });
      } catch (error) {
        throw replayPathError(error, flags.replay);
      }
      if (output.progress) output.stderr('\r\x1b[K');
      const replayCommand = (address: ReplayAddress): string => buildReplayCommand(file, flags, address);
      output.stdout(flags.json ? `${JSON.stringify(result, jsonReplacer, 2)}\n` : renderResult(loaded, result, replayCommand));
      if (CLAIM_FAILING_VERDICTS.includes(result.verdict)) output.setExitCode(1);
    });
}

// ---------------------------------------------------------------------------------------------
// Claims from flags

const EXPRESSION_ONLY_FLAGS = ['hypothesis', 'delta', 'exponent', 'rateTarget', 'widths', 'seeds', 'dataset', 'kappa', 'eta', 'steps', 'quantizer'] as const;

function rejectExpressionFlags(flags: ClaimFlags): void {
  for (const name of EXPRESSION_ONLY_FLAGS) {
    if (flags[name] !== undefined) {
      const flag = `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
      throw new InvalidInputError(flag, flags[name], `applies to --expr only; a claim file sets it in the file (see docs/writing-claims.md)`);
    }
  }
}

/** Names a claim definition path by the flag that set it, for error messages. */
function flagForPath(path: string): string {
  const root = path.split(/[.[]/)[0];
  const parameter = path.startsWith('parameters.') ? path.split('.')[1].split('[')[0] : null;
  const parameterFlags: Record<string, string> = { width: '--widths', seeds: '--seeds', dataset: '--dataset', kappa: '--kappa', eta: '--eta', steps: '--steps', quantizer: '--quantizer' };
  if (parameter !== null) return parameterFlags[parameter] ?? `--${parameter}`;
  const rootFlags: Record<string, string> = { statement: '--expr', hypotheses: '--hypothesis', delta: '--delta', exponents: '--exponent' };
  return rootFlags[root] ?? `--expr ${path}`;
}

/** Builds the claim definition that `claimFromDefinition` validates from the --expr flags. */
function definitionFromFlags(flags: ClaimFlags): Record<string, unknown> {
  const statements: unknown[] = [...(flags.expr ?? [])];
  for (const entry of flags.rateTarget ?? []) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(entry);
    const target = match ? Number(match[2]) : Number.NaN;
    if (match === null || !Number.isFinite(target)) {
      throw new InvalidInputError('--rate-target', entry, `expected SYMBOL=VALUE with a declared exponent and a number, e.g. slope_gap=-0.5, got ${JSON.stringify(entry)}`);
    }
    statements.push({ exponent: match[1], target });
  }

  const exponents = (flags.exponent ?? []).map((entry) => {
    const parts = entry.split(':').map((part) => part.trim());
    if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) {
      throw new InvalidInputError('--exponent', entry, `expected SYMBOL:OF or SYMBOL:OF:AGAINST, e.g. slope_gap:gap_mean:m, got ${JSON.stringify(entry)}`);
    }
    return { symbol: parts[0], of: parts[1], ...(parts[2] !== undefined ? { against: parts[2] } : {}) };
  });

  const parameters: Record<string, unknown> = {};
  if (flags.widths !== undefined) parameters.width = rangeToJson(parseRangeText(flags.widths, '--widths', { integer: true, min: 1, max: MAX_WIDTH }));
  if (flags.seeds !== undefined) parameters.seeds = rangeToJson(parseRangeText(flags.seeds, '--seeds', { integer: true, min: 0, max: MAX_SEED }));
  if (flags.dataset !== undefined) parameters.dataset = flags.dataset;
  if (flags.kappa !== undefined) parameters.kappa = rangeToJson(parseRangeText(flags.kappa, '--kappa', { integer: false, min: Number.MIN_VALUE, max: Number.MAX_VALUE }));
  if (flags.eta !== undefined) parameters.eta = flags.eta;
  if (flags.steps !== undefined) parameters.steps = flags.steps;
  if (flags.quantizer !== undefined) parameters.quantizer = flags.quantizer;

  return {
    id: 'expr',
    title: (flags.expr ?? []).join('; '),
    statement: statements,
    ...(flags.hypothesis !== undefined ? { hypotheses: flags.hypothesis } : {}),
    ...(flags.delta !== undefined ? { delta: flags.delta } : {}),
    ...(exponents.length > 0 ? { exponents } : {}),
    parameters,
  };
}

function rangeToJson(range: { min: number; max: number }): number | [number, number] {
  return range.min === range.max ? range.min : [range.min, range.max];
}

function parseReplay(text: string): ReplayAddress {
  const match = /^\s*([0-9]+):([0-9]+(?::[0-9]+)*)\s*$/.exec(text);
  if (match === null) {
    throw new InvalidInputError('--replay', text, `expected SEED:PATH as printed by a failed run, e.g. 0:12:3:0, got ${JSON.stringify(text)}`);
  }
  const seed = Number(match[1]);
  if (!Number.isSafeInteger(seed) || seed > MAX_SEED) throw new InvalidInputError('--replay', text, `the seed must be an integer from 0 to ${MAX_SEED}, got ${match[1]}`);
  return { seed, path: match[2] };
}

/**
 * Turns the error fast-check raises for a replay path that leads to no value into an input
 * error; any other error is returned unchanged.
 * NOTE: fast-check 4 marks this case only by the message "Unable to replay, got wrong path=...".
 */
function replayPathError(error: unknown, replay: string | undefined): unknown {
  if (replay === undefined || !(error instanceof Error) || !error.message.startsWith('Unable to replay')) return error;
  return new InvalidInputError(
    '--replay',
    replay,
    `${replay} names no instance of this claim, because fast-check finds no value along that path; copy the argument exactly as the failed run printed it, with the same claim file or --expr flags`,
  );
}

/**
 * Builds the command that replays an instance: the claim file, or the --expr flags in
 * canonical form (every parameter given explicitly), followed by --replay SEED:PATH.
 */
function buildReplayCommand(file: string | undefined, flags: ClaimFlags, address: ReplayAddress): string {
  const words = ['bitbound', 'claim'];
  if (file !== undefined) {
    words.push(file);
  } else {
    const loaded = claimFromDefinition(definitionFromFlags(flags), { name: '--expr', fieldName: flagForPath });
    for (const expression of flags.expr ?? []) words.push('--expr', expression);
    for (const hypothesis of flags.hypothesis ?? []) words.push('--hypothesis', hypothesis);
    if (flags.delta !== undefined) words.push('--delta', String(flags.delta));
    for (const exponent of flags.exponent ?? []) words.push('--exponent', exponent);
    for (const target of flags.rateTarget ?? []) words.push('--rate-target', target);
    words.push(...spaceFlags(loaded.space));
  }
  words.push('--replay', `${address.seed}:${address.path}`);
  return words.map(shellQuote).join(' ');
}

function spaceFlags(space: InstanceSpace): string[] {
  const words = ['--widths', formatRange(space.width), '--seeds', formatRange(space.seed), '--dataset', formatDatasetSpace(space.dataset), '--kappa', formatRange(space.kappa)];
  if (space.eta !== null) words.push('--eta', String(space.eta));
  words.push('--steps', String(space.steps), '--quantizer', space.quantizer);
  return words;
}

/** Quotes a word for a POSIX shell when it contains a character outside a safe set. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@,+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// Rendering of property results

function renderSymbols(): string {
  const rows = MEASURED_SYMBOLS.map((symbol) => [symbol.name, symbol.level, symbol.unit, symbol.description]);
  const header = ['symbol', 'level', 'unit', 'description'];
  const widths = [0, 1, 2].map((column) => Math.max(header[column].length, ...rows.map((row) => row[column].length)));
  const format = (row: string[]): string => `${row.slice(0, 3).map((cell, column) => cell.padEnd(widths[column])).join('  ')}  ${row[3]}`;
  const lines = [format(header), ...rows.map(format)];
  lines.push('', 'Levels: run = fixed for a data set and options; cell = one per width and seed; step = along training, checked at every recorded step.');
  lines.push('Claims may also declare exponents: slopes of a cell-level symbol against m or N over a grid of widths.');
  return `${lines.join('\n')}\n`;
}

function renderResult(loaded: UserClaim, result: ClaimPropertyResult, replayCommand: (address: ReplayAddress) => string): string {
  const { claim, space } = loaded;
  const lines = [`claim ${claim.id}: ${claim.title}`];
  for (const statement of claim.statements) lines.push(`  ${statement.id}: ${statementText(statement)}`);
  for (const hypothesis of claim.hypotheses) lines.push(`  hypothesis: ${hypothesis.expression}`);
  if (claim.delta !== undefined) lines.push(`  with probability at least 1 - delta, delta = ${claim.delta}`);
  lines.push(`instances: m in ${formatRange(space.width)}, seed in ${formatRange(space.seed)}, data ${formatDatasetSpace(space.dataset)}, kappa ${formatRange(space.kappa)}, ${claim.measurement === 'training' ? `trained for ${space.steps} steps` : 'measured at initialization'}`);
  lines.push('');

  if (result.bounds?.kind === 'search') lines.push(...renderSearch(result.bounds, space, replayCommand));
  if (result.bounds?.kind === 'trials') lines.push(...renderTrials(result.bounds, space, replayCommand));
  if (result.bounds?.kind === 'replay') lines.push(...renderReplay(result.bounds, space));
  if (result.rates !== null) lines.push(...renderRates(result.rates));
  lines.push(`verdict: ${result.verdict}`);
  return `${lines.join('\n')}\n`;
}

function statementText(statement: UserClaim['claim']['statements'][number]): string {
  if (statement.kind === 'rate-target') return `${statement.exponent} = ${statement.target} (within its interval)`;
  if (statement.kind === 'overlap') return `${statement.exponents[0]} ~ ${statement.exponents[1]} (intervals overlap)`;
  return statement.expression;
}

function renderCounts(counts: BoundSearchResult['counts']): string {
  const extra = [
    counts.outsideHypothesis > 0 ? `${counts.outsideHypothesis} outside the hypothesis` : '',
    counts.diverged > 0 ? `${counts.diverged} diverged` : '',
    counts.nonFinite > 0 ? `${counts.nonFinite} with a NaN or infinite side` : '',
  ].filter((part) => part !== '');
  return extra.length > 0 ? ` (not counted: ${extra.join(', ')})` : '';
}

function renderEvidence(evidence: EvidenceInstance | null, label: string, space: InstanceSpace): string[] {
  if (evidence === null) return [];
  return [`${label} ${short(evidence.value)} at ${describeInstance(space, evidence.outcome.instance)}`];
}

function renderOutcome(outcome: InstanceOutcome, space: InstanceSpace): string[] {
  const lines = [`  parameters: ${describeInstance(space, outcome.instance)}`];
  if (outcome.divergence !== null) lines.push(`  training of the ${outcome.divergence.net} net diverged at step ${outcome.divergence.step}`);
  for (const statement of outcome.statements) {
    if (statement.holds === false) {
      const step = statement.step !== null ? ` at step t = ${statement.step}` : '';
      lines.push(`  ${statement.id} fails${step}: lhs ${String(statement.lhs)}, rhs ${String(statement.rhs)}, margin ${String(statement.margin)}`);
    } else if (statement.nonFinite !== null) {
      lines.push(`  ${statement.id}: ${statement.nonFinite.sides.join(' and ')} not finite (from ${statement.nonFinite.terms.join(', ')})`);
    } else if (statement.holds === true) {
      lines.push(`  ${statement.id} holds: margin ${String(statement.margin)}${statement.looseness !== null ? `, looseness ${short(statement.looseness)}` : ''}`);
    } else {
      lines.push(`  ${statement.id}: not counted (${outcome.status})`);
    }
  }
  return lines;
}

function renderSearch(search: BoundSearchResult, space: InstanceSpace, replayCommand: (address: ReplayAddress) => string): string[] {
  const lines = [`bounds: fast-check search, seed ${search.seed}: ${search.runs} runs, ${search.distinctInstances} distinct instances, ${search.counts.evaluated} evaluated${renderCounts(search.counts)}`];
  if (search.counterexample !== null) {
    const { outcome, replay, shrinks } = search.counterexample;
    lines.push(`counterexample (shrunk ${shrinks} times; fast-check seed ${replay.seed}, path ${replay.path}):`);
    lines.push(...renderOutcome(outcome, space));
    lines.push(`replay: ${replayCommand(replay)}`);
  } else {
    lines.push(...renderEvidence(search.worstMargin, 'worst (smallest) margin', space));
    lines.push(...renderEvidence(search.tightestLooseness, 'tightest looseness RHS / LHS', space));
  }
  lines.push(`bounds verdict: ${search.verdict}`, '');
  return lines;
}

function renderTrials(trials: BoundTrialsResult, space: InstanceSpace, replayCommand: (address: ReplayAddress) => string): string[] {
  const lines = [`bounds: ${trials.trials} trials, ${trials.failures} failing, in ${plural(trials.batches, 'batch', 'batches')} (sampling seed ${trials.seed})${renderCounts(trials.counts)}`];
  if (trials.interval !== null) {
    lines.push(
      `Clopper-Pearson interval on the failure rate: [${short(trials.interval.lower)}, ${short(trials.interval.upper)}] against delta = ${trials.delta}, ` +
        `at confidence ${String(Number(trials.confidencePerLook.toPrecision(6)))} per look (${plural(trials.looksPlanned, 'look', 'looks')} planned, ${trials.confidence} overall)`,
    );
  }
  const stop =
    trials.stopReason === 'settled'
      ? 'the verdict settled'
      : trials.stopReason === 'budget'
        ? `the trial budget of ${trials.counts.evaluated + trials.counts.outsideHypothesis + trials.counts.diverged + trials.counts.nonFinite} instances ran out (raise --max-trials)`
        : 'the instance space has no more distinct instances (widen the ranges)';
  lines.push(`stopped because ${stop}`);
  if (trials.verdict === 'inconclusive') {
    lines.push(trials.trialsToSettle !== null ? `about ${trials.trialsToSettle} trials in total would settle it at the observed failure rate` : 'no number of trials settles it at the observed failure rate');
  }
  lines.push(...renderEvidence(trials.worstMargin, 'worst (smallest) margin', space));
  lines.push(...renderEvidence(trials.tightestLooseness, 'tightest looseness RHS / LHS', space));
  if (trials.failure !== null) {
    lines.push(`failing trial with the smallest width (fast-check seed ${trials.failure.replay.seed}, path ${trials.failure.replay.path}):`);
    lines.push(...renderOutcome(trials.failure.outcome, space));
    lines.push(`replay: ${replayCommand(trials.failure.replay)}`);
  }
  lines.push(`bounds verdict: ${trials.verdict}`, '');
  return lines;
}

function plural(count: number, singular: string, pluralForm: string): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function renderReplay(replay: BoundReplayResult, space: InstanceSpace): string[] {
  return [`replay of fast-check seed ${replay.replay.seed}, path ${replay.replay.path}: ${replay.outcome.status}`, ...renderOutcome(replay.outcome, space), `bounds verdict: ${replay.verdict}`, ''];
}

function renderRates(rates: RateResult): string[] {
  const lines = [`rates: fitted on widths ${rates.widths.join(', ')} x seeds ${rates.seeds[0]}..${rates.seeds[rates.seeds.length - 1]}, data ${rates.dataset}, kappa ${rates.kappa}`];
  for (const exponent of rates.exponents) {
    lines.push(`  ${exponent.symbol} = ${short(exponent.estimate)} [${short(exponent.lower)}, ${short(exponent.upper)}] (slope of log ${exponent.of} against log ${exponent.against}, R^2 ${short(exponent.rSquared)})`);
  }
  for (const statement of rates.statements) lines.push(`  ${statement.id}: ${statement.expression}: ${statement.verdict}`);
  lines.push(`rates verdict: ${rates.verdict}`, '');
  return lines;
}

/** Writes non-finite numbers as strings, so the JSON output stays valid. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Symbolic tools

/** A statement or expression the symbolic tools work on, with the symbols it may use. */
interface SymbolicItem {
  readonly label: string;
  readonly parsed: { readonly kind: 'statement'; readonly statement: ParsedStatement } | { readonly kind: 'expression'; readonly expression: ParsedExpression };
  readonly allowed: readonly string[];
}

function measuredNames(): string[] {
  return MEASURED_SYMBOLS.map((symbol) => symbol.name);
}

function fileItems(loaded: UserClaim): SymbolicItem[] {
  const allowed = [...measuredNames(), ...(loaded.claim.exponents ?? []).map((exponent) => exponent.symbol)];
  const items: SymbolicItem[] = [];
  for (const hypothesis of loaded.claim.hypotheses) {
    items.push({ label: 'hypothesis', parsed: { kind: 'statement', statement: parseUserStatement(hypothesis.expression, allowed, 'hypothesis') }, allowed });
  }
  for (const statement of loaded.claim.statements) {
    if (statement.kind !== 'bound' && statement.kind !== 'rate') continue;
    items.push({ label: statement.id, parsed: { kind: 'statement', statement: parseUserStatement(statement.expression, allowed, statement.id) }, allowed });
  }
  return items;
}

/** Parses each --expr as a statement when it has a relation, else as an expression. */
function expressionItems(flags: ClaimFlags): SymbolicItem[] {
  const exponentSymbols = (flags.exponent ?? []).map((entry) => entry.split(':')[0].trim());
  const allowed = [...measuredNames(), ...exponentSymbols];
  return (flags.expr ?? []).map((text, index) => {
    const label = (flags.expr ?? []).length > 1 ? `expr ${index + 1}` : 'expr';
    if (/[<>]/.test(text)) return { label, parsed: { kind: 'statement', statement: parseUserStatement(text, allowed, '--expr') }, allowed };
    return { label, parsed: { kind: 'expression', expression: parseUserExpression(text, allowed, '--expr') }, allowed };
  });
}

function parseUserExpression(text: string, allowed: readonly string[], field: string): ParsedExpression {
  try {
    return parseExpression(text, allowed, { field, latexNames: symbolLatexNames() });
  } catch (error) {
    throw withCloseMatches(error, text, allowed, field);
  }
}

/**
 * Builds the margin of a statement, big - small after normalizing it to `small <= big`. The
 * margin is positive (or zero, for a non-strict relation) exactly where the statement holds.
 */
function marginExpression(statement: ParsedStatement, allowed: readonly string[]): ParsedExpression {
  const lhsIsSmall = statement.relation === '<=' || statement.relation === '<';
  const [small, big] = lhsIsSmall ? [statement.lhs, statement.rhs] : [statement.rhs, statement.lhs];
  return parseUserExpression(`(${big.source}) - (${small.source})`, allowed, 'margin');
}

function runSymbolicTools(items: readonly SymbolicItem[], flags: ClaimFlags, output: ClaimCommandOutput): void {
  const lines: string[] = [];
  let certifiedAll = true;
  for (const item of items) {
    if (flags.latex) lines.push(`${item.label}: ${item.parsed.kind === 'statement' ? item.parsed.statement.latex : item.parsed.expression.latex}`);
    if (flags.derivative !== undefined) lines.push(...renderDerivative(item, requireSymbol(flags.derivative, item.allowed, '--derivative')));
    if (flags.solve !== undefined) lines.push(...renderSolve(item, flags));
    if (flags.certify) {
      const certified = renderCertify(item, flags, lines);
      certifiedAll &&= certified;
    }
  }
  output.stdout(`${lines.join('\n')}\n`);
  if (flags.certify && !certifiedAll) output.setExitCode(1);
}

function requireSymbol(name: string, allowed: readonly string[], option: string): string {
  if (allowed.includes(name)) return name;
  const close = closeMatches(name, allowed);
  throw new InvalidInputError(option, name, `unknown symbol ${JSON.stringify(name)}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''} Run bitbound claim --symbols for every measured symbol`);
}

function renderDerivative(item: SymbolicItem, symbol: string): string[] {
  const lines: string[] = [];
  const sides: [string, ParsedExpression][] =
    item.parsed.kind === 'statement'
      ? [
          ['lhs', item.parsed.statement.lhs],
          ['rhs', item.parsed.statement.rhs],
        ]
      : [['', item.parsed.expression]];
  for (const [side, expression] of sides) {
    const derivative = differentiate(expression, symbol);
    const name = side === '' ? item.label : `${item.label} ${side}`;
    lines.push(`d/d${symbol} of ${name} (${expression.source}):`);
    lines.push(`  ${derivative.source}`);
    lines.push(`  LaTeX: ${derivative.latex}`);
  }
  return lines;
}

function renderSolve(item: SymbolicItem, flags: ClaimFlags): string[] {
  const symbol = requireSymbol(flags.solve!, item.allowed, '--solve');
  const scope = parseAssignments(flags.at ?? '', '--at', item.allowed);
  const expression = item.parsed.kind === 'statement' ? marginExpression(item.parsed.statement, item.allowed) : item.parsed.expression;
  let target = 0;
  if (flags.target !== undefined) {
    target = parseUserExpression(flags.target, item.allowed, '--target').evaluate(scope);
    if (!Number.isFinite(target)) throw new InvalidInputError('--target', flags.target, `evaluates to ${target} at --at ${flags.at ?? ''}; give a finite target`);
  } else if (item.parsed.kind === 'expression') {
    throw new InvalidInputError('--target', '', 'is missing; --solve on an expression needs the value to reach, e.g. --target 0.25 or --target "lambda_H / 4"');
  }
  const bracketRange = parseRangeText(flags.bracket, '--bracket', { integer: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE });
  const missing = expression.symbols.filter((name) => name !== symbol && scope[name] === undefined);
  if (missing.length > 0) throw new InvalidInputError('--at', flags.at ?? '', `gives no value for ${missing.join(', ')}; add e.g. --at "${missing.map((name) => `${name}=1`).join(',')}"`);

  const solution = solveForSymbol(expression, symbol, target, scope, [bracketRange.min, bracketRange.max]);
  const what = item.parsed.kind === 'statement' ? `margin of ${item.label} (${expression.source})` : `${item.label} (${expression.source})`;
  return [
    `solve ${what} = ${String(target)} for ${symbol}, at ${formatAssignments(scope)}:`,
    `  ${symbol} = ${String(solution.value)} (residual ${short(solution.residual)}, ${solution.iterations} Brent iterations in [${String(solution.bracket[0])}, ${String(solution.bracket[1])}])`,
  ];
}

function renderCertify(item: SymbolicItem, flags: ClaimFlags, lines: string[]): boolean {
  if (flags.box === undefined) throw new InvalidInputError('--box', '', 'is missing; --certify needs the box, e.g. --box "m=10..1e6,n=2..1000,delta=1e-6..0.5,kappa=1"');
  const box = parseBox(flags.box, item.allowed);
  let expression = item.parsed.kind === 'statement' ? marginExpression(item.parsed.statement, item.allowed) : item.parsed.expression;
  let subject = item.parsed.kind === 'statement' ? `margin of ${item.label}` : item.label;

  const of = flags.of ?? 'value';
  if (of.startsWith('derivative:')) {
    const symbol = requireSymbol(of.slice('derivative:'.length), item.allowed, '--of');
    expression = differentiate(expression, symbol);
    subject = `d/d${symbol} of the ${subject}`;
  } else if (of !== 'value') {
    throw new InvalidInputError('--of', of, 'expected "value" or derivative:SYMBOL, e.g. derivative:m');
  }

  let sign = flags.sign;
  if (sign === undefined) {
    if (item.parsed.kind !== 'statement' || of !== 'value') {
      throw new InvalidInputError('--sign', '', `is missing; say which sign to prove for ${subject}: ${SIGNS.join(', ')}`);
    }
    // A statement holds where its margin is >= 0 (non-strict) or > 0 (strict).
    sign = item.parsed.statement.relation === '<' || item.parsed.statement.relation === '>' ? 'positive' : 'nonnegative';
  }

  const certificate = certifySign(expression, box, { sign, maxDepth: flags.depth, maxBoxes: flags.maxBoxes });
  lines.push(`certify ${subject} is ${sign} on ${flags.box}:`);
  lines.push(`  expression: ${expression.source}`);
  if (certificate.status === 'certified') {
    lines.push(`  certified: interval arithmetic proves it on every sub-box (${plural(certificate.boxesExamined, 'box', 'boxes')} examined)`);
  } else if (certificate.status === 'counterexample') {
    lines.push(`  counterexample: at ${formatAssignments(certificate.counterexample ?? {})} the value is ${String(certificate.value)}`);
  } else {
    lines.push(
      `  undecided: NOT certified. ${plural(certificate.undecidedBoxes ?? 0, 'sub-box remains', 'sub-boxes remain')} unproved after ${plural(certificate.boxesExamined, 'box', 'boxes')} ` +
        `(--depth ${flags.depth}, --max-boxes ${flags.maxBoxes}); no counterexample was found. Raise --depth or --max-boxes, or shrink the box`,
    );
  }
  return certificate.status === 'certified';
}

/** Parses `name=value,...` into a scope; names must be allowed symbols. */
function parseAssignments(text: string, option: string, allowed: readonly string[]): Record<string, number> {
  const scope: Record<string, number> = {};
  if (text.trim() === '') return scope;
  for (const part of text.split(',')) {
    const [name, value, ...rest] = part.split('=').map((piece) => piece.trim());
    if (value === undefined || rest.length > 0 || name === '') throw new InvalidInputError(option, text, `expected name=value pairs separated by commas, e.g. "n=100,delta=0.1", got ${JSON.stringify(part)}`);
    requireSymbol(name, allowed, option);
    const number = Number(value);
    if (value === '' || !Number.isFinite(number)) throw new InvalidInputError(option, text, `${name}=${value}: expected a finite number`);
    scope[name] = number;
  }
  return scope;
}

/** Parses `name=lo..hi,name=value,...` into a box of intervals and fixed values. */
function parseBox(text: string, allowed: readonly string[]): Box {
  const box: Record<string, ReturnType<typeof interval> | number> = {};
  for (const part of text.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) throw new InvalidInputError('--box', text, `expected name=lo..hi or name=value entries separated by commas, got ${JSON.stringify(part)}`);
    const name = part.slice(0, separator).trim();
    requireSymbol(name, allowed, '--box');
    const range = parseRangeText(part.slice(separator + 1), `--box ${name}`, { integer: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE });
    box[name] = range.min === range.max ? range.min : interval(range.min, range.max);
  }
  return box;
}

function formatAssignments(scope: Readonly<Record<string, number>>): string {
  const entries = Object.entries(scope);
  // Shortest round-trip form, so a printed counterexample point can be typed back exactly.
  return entries.length === 0 ? '(no other symbols)' : entries.map(([name, value]) => `${name} = ${String(value)}`).join(', ');
}
