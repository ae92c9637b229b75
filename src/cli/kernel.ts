/**
 * `bitbound kernel`: computes the empirical kernels H and S at initialization for one width
 * and seed, their limits Hstar and Sstar, and the spectra of all four, on a data set.
 * Prints a table; with --output, writes the matrices and spectra as JSON.
 */
import os from 'node:os';
import { Command, Option } from 'commander';
import { loadDataset } from '../data/index.js';
import { fullPrecisionKernel, signKernel, type KernelMatrix } from '../kernel/empirical.js';
import { exactSignKernelLimit, fullPrecisionKernelLimit, monteCarloSignKernelLimit } from '../kernel/limits.js';
import { kernelSpectrum, maxEntryDistance, operatorNormDistance } from '../kernel/spectrum.js';
import { initializeNetwork, oneBitInputs } from '../model/network.js';
import { parseWeightQuantizer } from '../model/quantizer.js';
import { InvalidInputError, ResourceLimitError } from '../errors.js';
import { short } from '../report/report.js';
import { estimateCellBytes, formatBytes } from '../check/resources.js';
import { createRng } from '../util/rng.js';
import { withCommandLineField } from '../check/dataset-loader.js';
import { AUTO_EXACT_MAX_DIMENSION } from '../check/run-context.js';
import { KAPPA_RANGE, MAX_WIDTH } from '../check/options.js';
import { parseIntegerOption, parseNumberOption } from './parse.js';
import { checkOutputPath, datasetInputs, writeOutputFile } from './paths.js';

/** Memory the command may use: 8 GiB, or half the machine's memory when that is less. */
const KERNEL_COMMAND_MEMORY_LIMIT = 8 * 1024 ** 3;

/** Largest n x n kernel the command computes (four matrices of 8 n^2 bytes plus eigen-solver work). */
export const KERNEL_COMMAND_MAX_SIZE = 5000;

/** Builds the `kernel` command. */
export function createKernelCommand(): Command {
  return new Command('kernel')
    .description('compute H, S, Hstar, Sstar and their spectra on a data set')
    .option('--dataset <spec>', 'data set: iris, cars, penguins, synthetic:TARGET[:d=D][:n=N], or a .csv/.json file', 'iris')
    .option('--data-size <n>', 'use a seeded subsample of n examples', parseIntegerOption('--data-size'))
    .option('--width <m>', 'width of the empirical kernels', parseIntegerOption('--width'), 4096)
    .option('--seed <seed>', 'initialization seed', parseIntegerOption('--seed'), 0)
    .option('--kappa <x>', 'output scale kappa', parseNumberOption('--kappa'), 1)
    .option('--quantizer <name>', 'weight quantizer of the 1-bit net', 'sign')
    .addOption(new Option('--sstar <method>', 'how Sstar is computed').choices(['auto', 'exact', 'monte-carlo']).default('auto'))
    .option('--sstar-samples <n>', 'sign vectors for the Monte Carlo estimate', parseIntegerOption('--sstar-samples'), 1 << 18)
    .option('-o, --output <path>', 'write the four matrices and their spectra as JSON')
    .action((flags) => {
      const width = flags.width as number;
      if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
        throw new InvalidInputError('--width', width, `must be an integer from 1 to ${MAX_WIDTH}, got ${width}`);
      }
      if (!(flags.kappa >= KAPPA_RANGE.min && flags.kappa <= KAPPA_RANGE.max)) {
        throw new InvalidInputError('--kappa', flags.kappa, `must be a number from ${KAPPA_RANGE.min} to ${KAPPA_RANGE.max}, got ${flags.kappa}`);
      }
      if (!(flags.seed >= 0 && flags.seed <= 2 ** 31)) throw new InvalidInputError('--seed', flags.seed, `must be an integer from 0 to 2^31, got ${flags.seed}`);
      const output = flags.output as string | undefined;
      if (output !== undefined) checkOutputPath('-o', output, datasetInputs(flags.dataset), { example: 'kernels.json' });
      let dataset;
      try {
        dataset = loadDataset(flags.dataset, { ...(flags.dataSize !== undefined ? { size: flags.dataSize } : {}) });
      } catch (error) {
        throw withCommandLineField(error);
      }
      const { size: n, dimension: d, inputs } = dataset;
      if (n > KERNEL_COMMAND_MAX_SIZE) {
        throw new InvalidInputError('--data-size', n, `kernels of ${n} inputs need ${formatBytes(4 * 8 * n * n)}; use --data-size ${KERNEL_COMMAND_MAX_SIZE} or fewer`);
      }
      const estimate = estimateCellBytes(n, width, d, 0);
      const limit = Math.min(KERNEL_COMMAND_MEMORY_LIMIT, os.totalmem() / 2);
      if (estimate > limit) {
        throw new ResourceLimitError(
          `--width ${width} with n = ${n}, d = ${d} needs about ${formatBytes(estimate)}, over the limit of ${formatBytes(limit)}; use a smaller --width or --data-size`,
          estimate,
          limit,
          'bytes',
        );
      }

      const quantizer = parseWeightQuantizer(flags.quantizer);
      const params = initializeNetwork({ width, dimension: d, kappa: flags.kappa, sigma: 1 }, createRng(flags.seed).fork(`init-width-${width}`));
      const levels = quantizer.quantize(params.hiddenWeights, width, d, 1).levels;
      const signInputs = oneBitInputs(inputs, n, d, { activationBits: null });
      const kernels: Record<string, KernelMatrix> = {
        H: fullPrecisionKernel(inputs, n, params.hiddenWeights, width, d, flags.kappa),
        S: signKernel(signInputs, n, levels, width, d, flags.kappa),
        Hstar: fullPrecisionKernelLimit(inputs, n, d, flags.kappa),
        Sstar:
          flags.sstar === 'exact' || (flags.sstar === 'auto' && d <= AUTO_EXACT_MAX_DIMENSION)
            ? exactSignKernelLimit(signInputs, n, d, flags.kappa)
            : monteCarloSignKernelLimit(signInputs, n, d, flags.kappa, flags.sstarSamples, createRng(flags.seed).fork('sign-kernel-limit')),
      };

      const spectra = Object.fromEntries(Object.entries(kernels).map(([name, kernel]) => [name, kernelSpectrum(kernel)]));
      const lines = [`${dataset.name}: n = ${n}, d = ${d}, width m = ${width}, seed ${flags.seed}, kappa = ${flags.kappa}`, ''];
      lines.push('kernel  lambda_min    lambda_max    condition     note');
      for (const [name, spectrum] of Object.entries(spectra)) {
        const condition = spectrum.conditionNumber === null ? 'n/a' : short(spectrum.conditionNumber);
        lines.push(`${name.padEnd(6)}  ${short(spectrum.lambdaMin).padEnd(12)}  ${short(spectrum.lambdaMax).padEnd(12)}  ${condition.padEnd(12)}  ${spectrum.nearSingular ? 'near-singular' : ''}`);
      }
      lines.push('');
      lines.push(`||H - Hstar||_2 = ${short(operatorNormDistance(kernels.H, kernels.Hstar))}, max entry ${short(maxEntryDistance(kernels.H, kernels.Hstar))}`);
      lines.push(`||S - Sstar||_2 = ${short(operatorNormDistance(kernels.S, kernels.Sstar))}, max entry ${short(maxEntryDistance(kernels.S, kernels.Sstar))}`);
      process.stdout.write(`${lines.join('\n')}\n`);

      if (output !== undefined) {
        const payload = {
          dataset: dataset.name,
          size: n,
          dimension: d,
          width,
          seed: flags.seed,
          kappa: flags.kappa,
          spectra,
          matrices: Object.fromEntries(Object.entries(kernels).map(([name, kernel]) => [name, Array.from(kernel.values)])),
        };
        writeOutputFile('-o', output, `${JSON.stringify(payload)}\n`);
        process.stdout.write(`kernels written to ${output}\n`);
      }
    });
}
