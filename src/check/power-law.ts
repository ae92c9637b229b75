/**
 * Scaling-law fits of the `power-law-fit` analysis, as independent jobs.
 *
 * Each fit (one symbol against N = m (d + 1), with its own bootstrap seed) depends only on
 * its points and settings, so the runner spreads the fits over the threads of the run and
 * stores each result by job index: the report is the same whichever thread fitted what.
 */
import { InvalidInputError } from '../errors.js';
import { fitScalingLaw } from '../scaling/fit.js';
import type { ScalingFitOptions, ScalingPoint } from '../scaling/types.js';

/** A scaling-law fit of one symbol against N, as reported. */
export interface PowerLawFitSummary {
  readonly of: string;
  readonly formula: string;
  readonly parameters: { name: string; estimate: number; lower: number | null; upper: number | null }[];
  readonly converged: boolean;
  readonly rmseLog: number;
  readonly warnings: string[];
}

/** One fit to run: the symbol, its points and the fit settings (plain data, so it can cross to a worker). */
export interface PowerLawFitJob {
  readonly of: string;
  readonly points: ScalingPoint[];
  readonly settings: ScalingFitOptions;
}

/**
 * Runs one fit. A form the points cannot identify (too few widths, say) is reported with the
 * reason as a warning instead of ending the check.
 */
export function runPowerLawFit(job: PowerLawFitJob): PowerLawFitSummary {
  if (job.points.length === 0) {
    return { of: job.of, formula: job.settings.form, parameters: [], converged: false, rmseLog: Number.NaN, warnings: ['no training run converged, so there is nothing to fit'] };
  }
  try {
    const fit = fitScalingLaw(job.points, job.settings);
    return { of: job.of, formula: fit.formula, parameters: fit.parameters, converged: fit.converged, rmseLog: fit.rmseLog, warnings: fit.warnings };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { of: job.of, formula: job.settings.form, parameters: [], converged: false, rmseLog: Number.NaN, warnings: [error.message] };
  }
}
