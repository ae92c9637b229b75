/**
 * `bitbound check [claim...]`: runs claims of the catalogue on a grid of widths and seeds.
 * It prints the verdict table (or the JSON report with --json) on stdout and writes the JSON
 * report atomically. Exit status: 0 when no claim was violated or refuted, 1 when one was,
 * 2 for invalid usage or input and for an interrupted run.
 *
 * Each finished work item is appended to a checkpoint file (by default the report path plus
 * `.checkpoint`), which `--resume` continues after an interruption and which is deleted after
 * a complete run. SIGINT or SIGTERM stops the dispatch of new items, writes a partial report
 * and prints the command that resumes. With `--shard i/k` the command measures one slice of
 * the work items into a shard file instead, for `bitbound merge`.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { CATALOGUE } from '../../proofs/index.js';
import type { Claim } from '../claims/claim.js';
import { CheckpointSession, type ShardSpec } from '../check/checkpoint.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions, validateOptionsForClaims, type CheckOptions } from '../check/options.js';
import { hasFailingVerdict, runCheck, type CheckResult, type ExecutionOptions } from '../check/runner.js';
import { defaultWorkerCount } from '../check/pool.js';
import { estimateRunSeconds, formatDuration, LONG_RUN_WARNING_SECONDS } from '../check/resources.js';
import { measureShard, parseShardSpec, shardIndices } from '../check/shard.js';
import { InvalidInputError } from '../errors.js';
import { buildReport, serializeReport } from '../report/report.js';
import { renderVerdictTable } from '../report/table.js';
import { parseChoiceOption, parseIntegerListOption, parseIntegerOption, parseNumberOption } from './parse.js';
import { checkOutputPath, datasetInputs, writeOutputFile } from './paths.js';
import { createProgress } from './progress.js';

/** Default path of the JSON report. */
export const DEFAULT_REPORT_PATH = 'bitbound-report.json';

/** Suffix of the default checkpoint path, appended to the report path. */
export const CHECKPOINT_SUFFIX = '.checkpoint';

/** Default shard file path, e.g. `bitbound-shard-2-of-3.jsonl`. */
export function defaultShardPath(shard: ShardSpec): string {
  return `bitbound-shard-${shard.index}-of-${shard.count}.jsonl`;
}

/** A check stopped by SIGINT or SIGTERM; the CLI prints its message and exits with status 2. */
export class CheckInterruptedError extends Error {
  override readonly name = 'CheckInterruptedError';
  constructor(
    message: string,
    readonly signal: NodeJS.Signals,
  ) {
    super(message);
  }
}

/** Resolves claim arguments (labels like K1 or ids, any letter case) to catalogue claims. */
export function resolveClaims(names: readonly string[]): Claim[] {
  if (names.length === 0) return [...CATALOGUE];
  const resolved = names.map((name) => {
    const claim = CATALOGUE.find((entry) => entry.label.toLowerCase() === name.toLowerCase() || entry.id === name.toLowerCase());
    if (!claim) {
      const known = CATALOGUE.map((entry) => `${entry.label} (${entry.id})`).join(', ');
      throw new InvalidInputError('claim', name, `unknown claim ${JSON.stringify(name)}; known claims: ${known}`);
    }
    return claim;
  });
  return CATALOGUE.filter((claim) => resolved.includes(claim));
}

/** Builds the `check` command. */
export function createCheckCommand(): Command {
  const defaults = DEFAULT_CHECK_OPTIONS;
  return new Command('check')
    .description('check claims of the catalogue on simulations; with no claim given, runs all of them')
    .argument('[claims...]', 'claims to check, by label (K1, K2, K3, C1, A1, G1, S1) or id')
    .option('--dataset <spec>', 'data set: iris, cars, penguins, synthetic:TARGET[:d=D][:n=N], or a .csv/.json file', defaults.dataset)
    .option('--data-size <n>', 'use a seeded subsample of n examples', parseIntegerOption('--data-size'))
    .option('--test-fraction <f>', 'fraction of examples held out for the generalization difference', parseNumberOption('--test-fraction'), defaults.testFraction)
    .option('--data-seed <seed>', 'seed of the subsample and the train/test split', parseIntegerOption('--data-seed'), defaults.dataSeed)
    .option('--widths <list>', 'widths m, comma-separated (or 2^a..2^b)', parseIntegerListOption('--widths'), [...defaults.widths])
    .option('--seeds <n>', 'seeds per width for claims that train', parseIntegerOption('--seeds'), defaults.seeds)
    .option('--init-seeds <n>', 'seeds per width for initialization-only claims (K1)', parseIntegerOption('--init-seeds'), defaults.initSeeds)
    .option('--first-seed <seed>', 'first initialization seed', parseIntegerOption('--first-seed'), defaults.firstSeed)
    .option('--kappa <x>', 'output scale kappa of both networks', parseNumberOption('--kappa'), defaults.kappa)
    .option('--sigma <x>', 'standard deviation of the initial hidden weights', parseNumberOption('--sigma'), defaults.sigma)
    .option('--eta <x>', 'gradient-descent step size (default: 1 / lambda_max of Hstar)', parseNumberOption('--eta'))
    .option('--steps <T>', 'training steps', parseIntegerOption('--steps'), defaults.steps)
    .option('--quantizer <name>', 'weight quantizer: sign, sign-layer, sign-neuron, sign-centred, ternary, 2bit..8bit', defaults.quantizer)
    .option('--activation-bits <b>', 'absmax-quantize the 1-bit net inputs to b bits', parseIntegerOption('--activation-bits'))
    .option('--checkpoints <c>', 'kernel checkpoints along training (not the --checkpoint file)', parseIntegerOption('--checkpoints'), defaults.checkpoints)
    .option('--confidence <level>', 'confidence of Clopper-Pearson and bootstrap intervals', parseNumberOption('--confidence'), defaults.confidence)
    .option('--replicates <n>', 'bootstrap replicates', parseIntegerOption('--replicates'), defaults.bootstrapReplicates)
    .addOption(new Option('--sstar <method>', 'how the sign-kernel limit is computed').choices(['auto', 'exact', 'monte-carlo']).default(defaults.signLimit))
    .option('--sstar-samples <n>', 'sign vectors sampled by the Monte Carlo estimate', parseIntegerOption('--sstar-samples'), defaults.signLimitSamples)
    .option('--memory-limit <GiB>', 'memory limit of one grid cell, in GiB', parseNumberOption('--memory-limit'), defaults.memoryLimitBytes / 1024 ** 3)
    .option('--workers <n>', 'worker threads for the grid cells (default: the number of cores); the report does not depend on it', parseIntegerOption('--workers'))
    .option('-o, --output <path>', 'path of the JSON report; with --shard, path of the shard file (default bitbound-shard-I-of-K.jsonl)', DEFAULT_REPORT_PATH)
    .option('--no-output', 'do not write the JSON report file (and no checkpoint unless --checkpoint is given)')
    .option('--json', 'print the JSON report on stdout instead of the table')
    .option('--checkpoint <path>', `file that records each finished work item for --resume (default: the report path + ${CHECKPOINT_SUFFIX})`)
    .option('--no-checkpoint', 'do not write a checkpoint file')
    .option('--resume', 'continue an interrupted check from its checkpoint (with --shard, from its shard file)')
    .option('--keep-checkpoint', 'keep the checkpoint file after a complete run')
    .option('--shard <i/k>', 'measure only the work items whose index mod k is i - 1 and write a shard file for bitbound merge instead of a report')
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'always', 'never']).default('auto'))
    .action(async function (this: Command, claimNames: string[]) {
      const flags = this.opts();
      const claims = resolveClaims(claimNames);
      const options = validateCheckOptions(optionsFromFlags(flags));
      validateOptionsForClaims(claims, options);
      const workers = (flags.workers as number | undefined) ?? defaultWorkerCount();
      if (!(workers >= 1 && workers <= 256)) throw new InvalidInputError('--workers', workers, `must be an integer from 1 to 256, got ${workers}; use e.g. --workers 2`);
      const shard = flags.shard === undefined ? null : parseShardSpec(flags.shard as string);
      const progressMode = parseChoiceOption('--progress', ['auto', 'always', 'never'] as const)(flags.progress);
      const run: CheckRun = {
        claims,
        claimNames,
        options,
        workers,
        shard,
        progressMode,
        resumeCommand: resumeCommand(invocationArguments(this)),
      };

      if (shard !== null) {
        const shardPath = this.getOptionValueSource('output') === 'default' ? defaultShardPath(shard) : flags.output;
        validateShardFlags(flags, shardPath);
        checkOutputPath('-o', shardPath as string, datasetInputs(options.dataset), { example: defaultShardPath(shard) });
        await runShard(run, shardPath as string, Boolean(flags.resume));
        return;
      }
      await runFullCheck(run, flags);
    });
}

/** Inputs of a check run besides the flags. */
interface CheckRun {
  readonly claims: Claim[];
  readonly claimNames: string[];
  readonly options: CheckOptions;
  readonly workers: number;
  readonly shard: ShardSpec | null;
  readonly progressMode: 'auto' | 'always' | 'never';
  /** The command line that resumes this run. */
  readonly resumeCommand: string;
}

async function runFullCheck(run: CheckRun, flags: Record<string, unknown>): Promise<void> {
  const output = flags.output as string | false;
  const checkpointPath = resolveCheckpointPath(flags, output);
  if (flags.resume && checkpointPath === null) {
    throw new InvalidInputError('--resume', true, 'needs a checkpoint file, but checkpointing is off (--no-checkpoint, or --no-output without --checkpoint); give --checkpoint PATH');
  }
  checkRunPaths(run.options, output, checkpointPath);
  const session =
    checkpointPath === null
      ? null
      : CheckpointSession.open({ path: checkpointPath, resume: Boolean(flags.resume), identity: identityOf(run), note: writeNote });

  const started = Date.now();
  // The handlers stay until the partial report is written, so a second signal still exits with status 2.
  const interrupts = watchInterrupts(run.resumeCommand);
  try {
    await checkWithInterrupts(run, flags, session, interrupts, started);
  } finally {
    interrupts.dispose();
  }
}

async function checkWithInterrupts(run: CheckRun, flags: Record<string, unknown>, session: CheckpointSession | null, interrupts: Interrupts, started: number): Promise<void> {
  const output = flags.output as string | false;
  let result: CheckResult;
  try {
    result = await runCheck(run.claims, run.options, executionFor(run, session, interrupts.signal));
  } finally {
    session?.close();
  }

  const report = buildReport(result, run.claimNames);
  if (result.incomplete !== undefined) {
    const { measured, planned } = result.incomplete;
    const partial = { complete: false, measuredItems: measured, plannedItems: planned, ...report };
    if (output !== false) writeOutputFile('-o', output, `${JSON.stringify(partial, null, 2)}\n`);
    const reportNote = output !== false ? `partial report (claims missing items are not-measured) written to ${output}` : 'no report written (--no-output)';
    const resumeNote = session !== null ? `checkpoint kept at ${session.path}; resume with: ${run.resumeCommand}` : 'no checkpoint was kept, so a rerun starts over';
    throw new CheckInterruptedError(`interrupted by ${interrupts.received()} after measuring ${measured} of ${planned} work items; ${reportNote}; ${resumeNote}`, interrupts.received()!);
  }

  const serialized = serializeReport(report);
  if (output !== false) writeOutputFile('-o', output, serialized);
  if (session !== null) {
    if (flags.keepCheckpoint) writeNote(`checkpoint kept at ${session.path} (--keep-checkpoint)`);
    else session.remove();
  }

  process.stdout.write(flags.json ? serialized : renderVerdictTable(report));
  if (output !== false && !flags.json) process.stdout.write(`JSON report: ${output}\n`);
  process.stderr.write(`bitbound check finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (hasFailingVerdict(report.claims.map((claim) => claim.verdict))) process.exitCode = 1;
}

async function runShard(run: CheckRun, shardPath: string, resume: boolean): Promise<void> {
  const shard = run.shard!;
  const session = CheckpointSession.open({ path: shardPath, resume, identity: identityOf(run), note: writeNote });
  const interrupts = watchInterrupts(run.resumeCommand);
  let measured: number;
  let assigned: number;
  try {
    const result = await measureShard(run.claims, run.options, shard, executionFor(run, session, interrupts.signal));
    measured = result.measuredItems;
    assigned = result.assignedItems;
  } finally {
    session.close();
    interrupts.dispose();
  }

  if (measured < assigned) {
    throw new CheckInterruptedError(
      `interrupted by ${interrupts.received()} after measuring ${measured} of the ${assigned} work items of shard ${shard.index}/${shard.count}; ` +
        `shard file kept at ${shardPath}; resume with: ${run.resumeCommand}`,
      interrupts.received()!,
    );
  }
  process.stdout.write(
    `shard ${shard.index}/${shard.count}: ${assigned} work items measured, written to ${shardPath}\n` +
      `when every shard is done, write the report with: bitbound merge SHARD-FILES... -o ${DEFAULT_REPORT_PATH}\n`,
  );
}

/** Builds the runner hooks of a run: progress, the checkpoint, the time estimate and the abort signal. */
function executionFor(run: CheckRun, session: CheckpointSession | null, signal: AbortSignal): ExecutionOptions {
  const progressOn = run.progressMode === 'always' || (run.progressMode === 'auto' && process.stderr.isTTY === true);
  return {
    workers: run.workers,
    progress: createProgress(process.stderr, run.progressMode),
    signal,
    onPlan: (items, context) => {
      const done = session?.onPlan(items, context.dataset) ?? new Map();
      const assigned = run.shard === null ? items.map((_, index) => index) : shardIndices(items.length, run.shard);
      const remaining = assigned.filter((index) => !done.has(index)).map((index) => items[index]);
      const estimate = estimateRunSeconds(remaining, context, run.options);
      const wall = estimate / Math.max(1, Math.min(run.workers, remaining.length));
      const summary =
        `${remaining.length} of ${items.length} work items to measure, estimated ${formatDuration(estimate)} of single-core time ` +
        `(about ${formatDuration(wall)} on ${run.workers} ${run.workers === 1 ? 'worker' : 'workers'})`;
      if (progressOn) process.stderr.write(`work: ${summary}\n`);
      if (wall > LONG_RUN_WARNING_SECONDS) {
        process.stderr.write(`bitbound: warning: ${summary}; lower --widths, --seeds or --steps to shorten it, or split it with --shard i/k\n`);
      }
      return done;
    },
    onItem: (index, item, measurement) => session?.onItem(index, item, measurement),
  };
}

function identityOf(run: CheckRun): { options: CheckOptions; claims: Claim[]; claimArguments: string[]; shard: ShardSpec | null } {
  return { options: run.options, claims: run.claims, claimArguments: run.claimNames, shard: run.shard };
}

function resolveCheckpointPath(flags: Record<string, unknown>, output: string | false): string | null {
  if (flags.checkpoint === false) return null;
  if (typeof flags.checkpoint === 'string') return flags.checkpoint;
  return output === false ? null : `${output}${CHECKPOINT_SUFFIX}`;
}

/**
 * Rejects a report or checkpoint path that cannot be written or that names an input of the
 * run, before any measurement starts. The checkpoint must not be the report either, since
 * the report would replace it.
 */
function checkRunPaths(options: CheckOptions, output: string | false, checkpointPath: string | null): void {
  const inputs = datasetInputs(options.dataset);
  if (output !== false) checkOutputPath('-o', output, inputs, { example: 'report.json', alternative: 'pass --no-output' });
  if (checkpointPath === null) return;
  const report = output === false ? [] : [{ path: output, description: 'the report path (-o)' }];
  checkOutputPath('--checkpoint', checkpointPath, [...inputs, ...report], { example: 'run.checkpoint', alternative: 'pass --no-checkpoint' });
}

function validateShardFlags(flags: Record<string, unknown>, shardPath: unknown): void {
  if (shardPath === false) throw new InvalidInputError('--no-output', true, 'a shard writes its measurements to its shard file, so it needs an output; drop --no-output');
  if (flags.checkpoint !== undefined) throw new InvalidInputError('--checkpoint', flags.checkpoint, 'a shard records each finished item in its shard file (-o), which is its checkpoint; drop --checkpoint');
  if (flags.json) throw new InvalidInputError('--json', true, 'a shard writes no report; run bitbound merge on the shard files for the report, and drop --json');
}

function writeNote(text: string): void {
  process.stderr.write(`bitbound: note: ${text}\n`);
}

/** Signal handlers of a run: the abort signal, the signal received (if any), and their removal. */
interface Interrupts {
  readonly signal: AbortSignal;
  readonly received: () => NodeJS.Signals | null;
  readonly dispose: () => void;
}

/**
 * Watches SIGINT and SIGTERM. The first one aborts the returned signal, so no new work item
 * starts. A second one exits at once with status 2, which is safe because every finished
 * item is already on disk.
 */
function watchInterrupts(resume: string): Interrupts {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== null) {
      process.stderr.write(`bitbound: interrupted by ${signal} again; stopping at once. Finished work items are in the checkpoint; resume with: ${resume}\n`);
      process.exit(2);
    }
    received = signal;
    process.stderr.write(`bitbound: ${signal} received; no new work item will start (send it again to stop at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * Returns the arguments the program was parsed from. Commander 14 keeps them in the
 * untyped `rawArgs` field of the root command; the process arguments are the fallback.
 */
function invocationArguments(command: Command): readonly string[] {
  const root = command.parent as (Command & { rawArgs?: unknown }) | null;
  return Array.isArray(root?.rawArgs) ? (root.rawArgs as string[]) : process.argv.slice(2);
}

/** Returns the command that reruns this invocation with --resume, quoted for a POSIX shell. */
function resumeCommand(userArguments: readonly string[]): string {
  const script = process.argv[1] ?? 'bitbound';
  const relative = path.relative(process.cwd(), script);
  const scriptPath = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : script;
  const program = path.basename(script) === 'bitbound' ? ['bitbound'] : ['node', scriptPath];
  const rest = userArguments.filter((argument) => argument !== '--resume');
  return [...program, ...rest, '--resume'].map(quoteForShell).join(' ');
}

function quoteForShell(argument: string): string {
  return /^[A-Za-z0-9_./:=,+@%^-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

function optionsFromFlags(flags: Record<string, unknown>): CheckOptions {
  const memoryLimit = flags.memoryLimit as number;
  if (!(memoryLimit > 0)) throw new InvalidInputError('--memory-limit', memoryLimit, `must be a number of GiB greater than 0, got ${memoryLimit}; use e.g. --memory-limit 4`);
  return {
    dataset: flags.dataset as string,
    dataSize: (flags.dataSize as number | undefined) ?? null,
    testFraction: flags.testFraction as number,
    dataSeed: flags.dataSeed as number,
    widths: flags.widths as number[],
    seeds: flags.seeds as number,
    initSeeds: flags.initSeeds as number,
    firstSeed: flags.firstSeed as number,
    kappa: flags.kappa as number,
    sigma: flags.sigma as number,
    eta: (flags.eta as number | undefined) ?? null,
    steps: flags.steps as number,
    quantizer: flags.quantizer as string,
    activationBits: (flags.activationBits as number | undefined) ?? null,
    checkpoints: flags.checkpoints as number,
    confidence: flags.confidence as number,
    bootstrapReplicates: flags.replicates as number,
    signLimit: flags.sstar as CheckOptions['signLimit'],
    signLimitSamples: flags.sstarSamples as number,
    memoryLimitBytes: memoryLimit * 1024 ** 3,
  };
}
