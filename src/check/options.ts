/**
 * Options of a check run, their defaults and their validation.
 *
 * The defaults size the whole catalogue to finish in about a minute on two cores with the
 * bundled iris data: widths 256 to 4096, eight seeds per width for trained claims and more
 * for the cheap initialization claims.
 */
import type { Claim } from '../claims/claim.js';
import { InvalidInputError } from '../errors.js';
import { parseWeightQuantizer } from '../model/quantizer.js';

/** Method for the sign-kernel limit Sstar. */
export type SignLimitMethod = 'exact' | 'monte-carlo' | 'auto';

/** Every option of a check run, resolved. */
export interface CheckOptions {
  /** Data set: a bundled name, `synthetic:TARGET:d=D:n=N`, or a CSV/JSON path. */
  readonly dataset: string;
  /** Use at most this many examples (seeded subsample), or all when null. */
  readonly dataSize: number | null;
  /** Fraction of the examples held out for the generalization difference. */
  readonly testFraction: number;
  /** Seed of the data subsample and of the train/test split. */
  readonly dataSeed: number;
  /** Widths m of the grid, ascending. */
  readonly widths: readonly number[];
  /** Seeds per width for claims that train. */
  readonly seeds: number;
  /** Seeds per width for claims that only need the initialization (cheap). */
  readonly initSeeds: number;
  /** First seed; cell seeds are firstSeed, firstSeed + 1, ... */
  readonly firstSeed: number;
  readonly kappa: number;
  readonly sigma: number;
  /** Step size, or null for 1 / lambda_max(Hstar). */
  readonly eta: number | null;
  readonly steps: number;
  /** Weight quantizer of the 1-bit net: sign, sign-layer, sign-neuron, sign-centred, ternary, Nbit. */
  readonly quantizer: string;
  /** Absmax activation quantization bits of the 1-bit net, or null for none. */
  readonly activationBits: number | null;
  /** Number of kernel checkpoints along training (besides step 0). */
  readonly checkpoints: number;
  /** Confidence level of Clopper-Pearson and bootstrap intervals. */
  readonly confidence: number;
  readonly bootstrapReplicates: number;
  readonly signLimit: SignLimitMethod;
  /** Sign vectors sampled when Sstar is estimated by Monte Carlo. */
  readonly signLimitSamples: number;
  /** Memory limit for one grid cell, in bytes. */
  readonly memoryLimitBytes: number;
}

/** Defaults of `bitbound check`. */
export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  dataset: 'iris',
  dataSize: null,
  testFraction: 0.2,
  dataSeed: 0,
  widths: [256, 512, 1024, 2048, 4096],
  seeds: 8,
  initSeeds: 8,
  firstSeed: 0,
  kappa: 1,
  sigma: 1,
  eta: null,
  steps: 100,
  quantizer: 'sign',
  activationBits: null,
  checkpoints: 4,
  confidence: 0.95,
  bootstrapReplicates: 1000,
  signLimit: 'auto',
  signLimitSamples: 1 << 18,
  memoryLimitBytes: 4 * 1024 ** 3,
};

/** Largest width accepted, so that a typo like 1e9 is rejected before any allocation. */
export const MAX_WIDTH = 1 << 24;

/**
 * Range of the output scale kappa. Kernels scale with kappa^2 and the eigen-solvers square
 * their entries, so kappa^4 must stay far inside the float64 range (about 1e-308 to 1e308):
 * kappa = 1e80 overflowed the symmetric eigen-solver and kappa = 1e-300 made every kernel 0.
 * Within [1e-30, 1e30], kappa^4 stays within 1e-120 to 1e120.
 */
export const KAPPA_RANGE = Object.freeze({ min: 1e-30, max: 1e30 });

/** Validates resolved options; throws InvalidInputError naming the option and the fix. */
export function validateCheckOptions(options: CheckOptions): CheckOptions {
  if (options.widths.length === 0) {
    throw new InvalidInputError('--widths', '', 'the width grid is empty; give a comma-separated list such as 256,1024,4096');
  }
  for (const width of options.widths) {
    requireInteger('--widths', width, 1, MAX_WIDTH, 'each width must be an integer from 1 to 16777216');
  }
  const repeated = options.widths.find((width, index) => options.widths.indexOf(width) !== index);
  if (repeated !== undefined) {
    throw new InvalidInputError('--widths', options.widths.join(','), `width ${repeated} appears twice in ${options.widths.join(',')}; widths must be distinct, so remove the repeated value`);
  }
  requireInteger('--seeds', options.seeds, 1, 100_000, 'must be an integer from 1 to 100000');
  requireInteger('--init-seeds', options.initSeeds, 1, 100_000, 'must be an integer from 1 to 100000');
  requireInteger('--first-seed', options.firstSeed, 0, 2 ** 31, 'must be an integer from 0 to 2^31');
  requireInteger('--data-seed', options.dataSeed, 0, 2 ** 31, 'must be an integer from 0 to 2^31');
  requirePositive('--kappa', options.kappa);
  if (options.kappa < KAPPA_RANGE.min || options.kappa > KAPPA_RANGE.max) {
    throw new InvalidInputError('--kappa', options.kappa, `must be from ${KAPPA_RANGE.min} to ${KAPPA_RANGE.max}, because kernels scale with kappa^2 and must stay finite and nonzero; got ${String(options.kappa)}`);
  }
  requirePositive('--sigma', options.sigma);
  if (options.eta !== null) requirePositive('--eta', options.eta);
  requireInteger('--steps', options.steps, 1, 1_000_000, 'must be an integer from 1 to 1000000');
  requireInteger('--checkpoints', options.checkpoints, 1, 1000, 'must be an integer from 1 to 1000');
  if (!(options.testFraction > 0 && options.testFraction < 1)) {
    throw new InvalidInputError('--test-fraction', options.testFraction, `must be a number strictly between 0 and 1, such as 0.2, got ${String(options.testFraction)}`);
  }
  if (!(options.confidence > 0.5 && options.confidence < 1)) {
    throw new InvalidInputError('--confidence', options.confidence, `must be a number strictly between 0.5 and 1, such as 0.95, got ${String(options.confidence)}`);
  }
  requireInteger('--replicates', options.bootstrapReplicates, 100, 1_000_000, 'must be an integer from 100 to 1000000');
  if (options.dataSize !== null) requireInteger('--data-size', options.dataSize, 4, 1_000_000, 'must be an integer of at least 4');
  if (options.activationBits !== null) requireInteger('--activation-bits', options.activationBits, 2, 16, 'must be an integer from 2 to 16');
  requireInteger('--sstar-samples', options.signLimitSamples, 2, 2 ** 30, 'must be an integer from 2 to 2^30');
  try {
    parseWeightQuantizer(options.quantizer);
  } catch (error) {
    // The quantizer's own messages name its parts (such as `weight bits`); name the option instead.
    if (!(error instanceof InvalidInputError) || error.field === '--quantizer') throw error;
    throw new InvalidInputError('--quantizer', options.quantizer, `${JSON.stringify(options.quantizer)} is invalid: ${error.message}`);
  }
  return { ...options, widths: [...options.widths].sort((a, b) => a - b) };
}

/**
 * Checks the options against what the chosen claims need: a claim that fits exponents
 * against the width (a log-log slope with a bootstrap interval over seeds) needs at least 2
 * widths and 2 seeds.
 *
 * @throws InvalidInputError naming --widths or --seeds, the claims and the fix
 */
export function validateOptionsForClaims(claims: readonly Claim[], options: CheckOptions): void {
  const fitting = claims.filter((claim) => (claim.exponents ?? []).length > 0);
  if (fitting.length === 0) return;
  const labels = fitting.map((claim) => claim.label).join(', ');
  if (options.widths.length < 2) {
    throw new InvalidInputError(
      '--widths',
      options.widths.join(','),
      `claims ${labels} fit exponents against the width and need at least 2 widths, got ${options.widths.join(',')}; add a width (e.g. --widths 256,1024) or leave ${labels} out`,
    );
  }
  for (const claim of fitting) {
    const [option, seeds] = claim.measurement === 'training' ? ['--seeds', options.seeds] : ['--init-seeds', options.initSeeds];
    if (seeds < 2) {
      throw new InvalidInputError(option, seeds, `claim ${claim.label} fits exponents with a bootstrap over seeds and needs at least 2 seeds, got ${seeds}; use ${option} 2 or more, or leave ${claim.label} out`);
    }
  }
}

function requireInteger(option: string, value: number, low: number, high: number, rule: string): void {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new InvalidInputError(option, value, `${rule}, got ${String(value)}`);
  }
}

function requirePositive(option: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidInputError(option, value, `must be a finite number greater than 0, got ${String(value)}`);
  }
}

/** Check options with the command-line option that sets each, in the order of `--help`. */
export const CHECK_OPTION_FLAGS: readonly (readonly [keyof CheckOptions, string])[] = [
  ['dataset', '--dataset'],
  ['dataSize', '--data-size'],
  ['testFraction', '--test-fraction'],
  ['dataSeed', '--data-seed'],
  ['widths', '--widths'],
  ['seeds', '--seeds'],
  ['initSeeds', '--init-seeds'],
  ['firstSeed', '--first-seed'],
  ['kappa', '--kappa'],
  ['sigma', '--sigma'],
  ['eta', '--eta'],
  ['steps', '--steps'],
  ['quantizer', '--quantizer'],
  ['activationBits', '--activation-bits'],
  ['checkpoints', '--checkpoints'],
  ['confidence', '--confidence'],
  ['bootstrapReplicates', '--replicates'],
  ['signLimit', '--sstar'],
  ['signLimitSamples', '--sstar-samples'],
  ['memoryLimitBytes', '--memory-limit'],
];
