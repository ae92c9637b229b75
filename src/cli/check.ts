/**
 * `bitbound check [claim...]`: runs claims of the catalogue on a grid of widths and seeds,
 * prints the verdict table (or the JSON report with --json) on stdout, writes the JSON report
 * atomically, and sets the exit status: 0 when no claim was violated or refuted, 1 when one
 * was, 2 for invalid usage or input.
 */
import { Command, Option } from 'commander';
import { CATALOGUE } from '../../proofs/index.js';
import type { Claim } from '../claims/claim.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions, type CheckOptions } from '../check/options.js';
import { hasFailingVerdict, runCheck } from '../check/runner.js';
import { defaultWorkerCount } from '../check/pool.js';
import { InvalidInputError } from '../errors.js';
import { writeFileAtomic } from '../report/atomic.js';
import { buildReport, serializeReport } from '../report/report.js';
import { renderVerdictTable } from '../report/table.js';
import { parseChoiceOption, parseIntegerListOption, parseIntegerOption, parseNumberOption } from './parse.js';
import { createProgress } from './progress.js';

/** Default path of the JSON report. */
export const DEFAULT_REPORT_PATH = 'bitbound-report.json';

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
    .option('--checkpoints <c>', 'kernel checkpoints along training', parseIntegerOption('--checkpoints'), defaults.checkpoints)
    .option('--confidence <level>', 'confidence of Clopper-Pearson and bootstrap intervals', parseNumberOption('--confidence'), defaults.confidence)
    .option('--replicates <n>', 'bootstrap replicates', parseIntegerOption('--replicates'), defaults.bootstrapReplicates)
    .addOption(new Option('--sstar <method>', 'how the sign-kernel limit is computed').choices(['auto', 'exact', 'monte-carlo']).default(defaults.signLimit))
    .option('--sstar-samples <n>', 'sign vectors sampled by the Monte Carlo estimate', parseIntegerOption('--sstar-samples'), defaults.signLimitSamples)
    .option('--memory-limit <GiB>', 'memory limit of one grid cell, in GiB', parseNumberOption('--memory-limit'), defaults.memoryLimitBytes / 1024 ** 3)
    .option('--workers <n>', 'worker threads for the grid cells (default: the number of cores); the report does not depend on it', parseIntegerOption('--workers'))
    .option('-o, --output <path>', 'path of the JSON report', DEFAULT_REPORT_PATH)
    .option('--no-output', 'do not write the JSON report file')
    .option('--json', 'print the JSON report on stdout instead of the table')
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'always', 'never']).default('auto'))
    .action(async function (this: Command, claimNames: string[]) {
      const flags = this.opts();
      const claims = resolveClaims(claimNames);
      const options = validateCheckOptions(optionsFromFlags(flags));
      const progress = createProgress(process.stderr, parseChoiceOption('--progress', ['auto', 'always', 'never'] as const)(flags.progress));

      const started = Date.now();
      const workers = (flags.workers as number | undefined) ?? defaultWorkerCount();
      if (!(workers >= 1 && workers <= 256)) throw new InvalidInputError('--workers', workers, `must be an integer from 1 to 256, got ${workers}`);
      const result = await runCheck(claims, options, { workers, progress });
      const report = buildReport(result, claimNames);
      const serialized = serializeReport(report);
      if (flags.output !== false) writeFileAtomic(flags.output, serialized);

      process.stdout.write(flags.json ? serialized : renderVerdictTable(report));
      if (flags.output !== false && !flags.json) process.stdout.write(`JSON report: ${flags.output}\n`);
      process.stderr.write(`bitbound check finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      if (hasFailingVerdict(report.claims.map((claim) => claim.verdict))) process.exitCode = 1;
    });
}

function optionsFromFlags(flags: Record<string, unknown>): CheckOptions {
  const memoryLimit = flags.memoryLimit as number;
  if (!(memoryLimit > 0)) throw new InvalidInputError('--memory-limit', memoryLimit, `must be a number of GiB greater than 0, got ${memoryLimit}`);
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
