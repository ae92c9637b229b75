/**
 * `bitbound fit FILE.csv`: fits a scaling law to each family of runs in a CSV file, prints a
 * table of parameters with bootstrap intervals on stdout and warnings on stderr, and writes the
 * full result as JSON (atomically) with --json. Invalid input raises InvalidInputError, which
 * the program maps to exit status 2.
 */

import fs from 'node:fs';
import path from 'node:path';

import { Command } from 'commander';

import { InvalidInputError } from '../errors.js';
import { checkFileBeforeReading } from '../data/table.js';
import { parseScalingCsv } from '../scaling/csv.js';
import {
  DEFAULT_HUBER_DELTA,
  fitScalingLawByFamily,
  type FamilyScalingFit,
  type ScalingFit,
  type ScalingFitOptions,
  type ScalingForm,
  type ScalingVariable,
} from '../scaling/fit.js';
import { parseChoiceOption, parseIntegerOption, parseNumberOption } from './parse.js';
import { checkOutputPath, writeOutputFile } from './paths.js';

/** Output streams of the command: the table goes to `stdout`, warnings to `stderr`. Tests pass collectors. */
export interface FitCommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_OUTPUT: FitCommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const FORMS = ['pure', 'offset', 'two-term'] as const;
const VARIABLES = ['N', 'D', 'C'] as const;

/** Builds the `fit` command. */
export function createFitCommand(output: FitCommandOutput = PROCESS_OUTPUT): Command {
  return new Command('fit')
    .description('fit a scaling law, with bootstrap intervals, to each family of runs in a CSV file (columns N, D, C, loss or perplexity, optional seed and family)')
    .argument('<file>', 'CSV file with one run per row')
    .option('--form <form>', 'pure: L = (X_c / X)^alpha; offset: L = E + A / X^alpha; two-term: L = E + A / N^alpha + B / D^beta', parseChoiceOption('--form', FORMS), 'pure' as ScalingForm)
    .option('--variable <name>', 'X of the pure and offset forms: N (parameters), D (data) or C (compute)', parseChoiceOption('--variable', VARIABLES), 'N' as ScalingVariable)
    .option('--replicates <n>', 'bootstrap replicates (0 for no intervals)', parseIntegerOption('--replicates'), 1000)
    .option('--confidence <level>', 'two-sided coverage of the intervals, in (0, 1)', parseNumberOption('--confidence'), 0.95)
    .option('--seed <seed>', 'seed of the bootstrap', parseIntegerOption('--seed'), 1)
    .option('--huber-delta <x>', 'Huber loss transition point, in natural-log units of loss', parseNumberOption('--huber-delta'), DEFAULT_HUBER_DELTA)
    .option('--json <path>', 'also write the full result (residuals, bootstrap counts, warnings) as JSON to this path')
    .action((file: string, flags: FitFlags) => {
      validateFlags(flags);
      if (flags.json !== undefined) checkOutputPath('--json', flags.json, [{ path: file, description: 'the input CSV file' }], { example: 'fit.json' });
      const points = parseScalingCsv(readInputFile(file), path.basename(file));
      const options: ScalingFitOptions = {
        form: flags.form,
        variable: flags.variable,
        bootstrapReplicates: flags.replicates,
        confidence: flags.confidence,
        seed: flags.seed,
        huberDelta: flags.huberDelta,
      };
      const fits = fitScalingLawByFamily(points, options);

      for (const { family, fit } of fits) {
        output.stdout(renderFitTable(family, fit));
        for (const warning of fit.warnings) output.stderr(`warning: family ${family}: ${warning}\n`);
      }

      if (flags.json !== undefined) {
        const report = { source: file, options, fits: fits.map(toJsonEntry) };
        writeOutputFile('--json', flags.json, `${JSON.stringify(report, null, 2)}\n`);
        output.stdout(`JSON result: ${flags.json}\n`);
      }
    });
}

interface FitFlags {
  form: ScalingForm;
  variable: ScalingVariable;
  replicates: number;
  confidence: number;
  seed: number;
  huberDelta: number;
  json?: string;
}

/** Checks option ranges here so that messages name the command-line option rather than the library field. */
function validateFlags(flags: FitFlags): void {
  if (!(flags.replicates >= 0)) {
    throw new InvalidInputError('--replicates', flags.replicates, `must be 0 or more, got ${flags.replicates}; use e.g. 1000`);
  }
  if (!(flags.confidence > 0 && flags.confidence < 1)) {
    throw new InvalidInputError('--confidence', flags.confidence, `must lie in (0, 1), got ${flags.confidence}; use e.g. 0.95`);
  }
  if (!(flags.huberDelta > 0)) {
    throw new InvalidInputError('--huber-delta', flags.huberDelta, `must be positive, got ${flags.huberDelta}; the default is ${DEFAULT_HUBER_DELTA}`);
  }
}

/**
 * Renders one family's fit as a text table: a title line, one row per parameter with its
 * estimate and interval, and a summary line with the log-space RMSE, convergence and bootstrap
 * counts. An interval the bootstrap did not produce is shown as `none`.
 */
export function renderFitTable(family: string, fit: ScalingFit): string {
  const percent = `${+(fit.bootstrap.confidence * 100).toFixed(2)}% interval`;
  const rows = [['parameter', 'estimate', percent]];
  for (const parameter of fit.parameters) {
    const interval =
      parameter.lower === null || parameter.upper === null
        ? 'none'
        : `[${formatNumber(parameter.lower)}, ${formatNumber(parameter.upper)}]`;
    rows.push([parameter.name, formatNumber(parameter.estimate), interval]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`).join('');

  const convergence = fit.converged
    ? `converged in ${fit.iterations} steps from the best start`
    : `NOT converged after ${fit.iterations} steps`;
  const bootstrap =
    fit.bootstrap.requested === 0
      ? 'no bootstrap'
      : `bootstrap over ${fit.bootstrap.resampled}: ${fit.bootstrap.converged} of ${fit.bootstrap.requested} replicates used`;
  return (
    `family ${family}: ${fit.formula}, ${fit.pointCount} points\n` +
    table +
    `  RMSE of ln L: ${formatNumber(fit.rmseLog)}; ${convergence}; ${bootstrap}\n\n`
  );
}

function toJsonEntry({ family, fit }: FamilyScalingFit) {
  return { family, ...fit };
}

/** Formats with 4 significant digits, in exponent notation outside [1e-3, 1e5). */
function formatNumber(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  return size >= 1e5 || size < 1e-3 ? value.toExponential(3) : String(+value.toPrecision(4));
}

function readInputFile(file: string): string {
  // Type and size are checked first, so a directory or a huge file is rejected before any read.
  checkFileBeforeReading(file, undefined);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : `could not be read (${code ?? String(error)})`;
    throw new InvalidInputError('FILE', file, `${file} ${reason}; pass the path of a CSV file with columns N, D, C, loss or perplexity`);
  }
}
