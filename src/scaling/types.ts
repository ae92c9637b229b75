/**
 * Public types of scaling-law fits: the input points, the options and the result.
 */

import type { ScalingForm } from './forms.js';

export type { ScalingForm } from './forms.js';

/** The input variable of a one-variable fit: parameters N, training tokens D or compute C (FLOPs). */
export type ScalingVariable = 'N' | 'D' | 'C';

/** One measured run. */
export interface ScalingPoint {
  /** Model size in parameters. */
  N?: number;
  /** Data size, e.g. training tokens or examples. */
  D?: number;
  /** Training compute, e.g. floating-point operations. */
  C?: number;
  /** Loss, positive (e.g. cross-entropy in nats, or ln of perplexity). */
  loss: number;
  /** Seed of the run; points that share a seed are resampled together. */
  seed?: string | number;
  /** Group of runs fitted separately, e.g. `bitnet` and `llama`. */
  family?: string;
}

/** Options of {@link fitScalingLaw}. */
export interface ScalingFitOptions {
  form: ScalingForm;
  /** X of the pure and offset forms; ignored by the two-term form, which uses N and D. */
  variable: ScalingVariable;
  /** Bootstrap replicates; 0 skips the bootstrap and reports no intervals. */
  bootstrapReplicates: number;
  /** Two-sided coverage of the intervals, in (0, 1). */
  confidence: number;
  /** Seed of the bootstrap's random stream. */
  seed: number;
  /** Huber transition point in natural-log units of loss; default DEFAULT_HUBER_DELTA. */
  huberDelta?: number;
}

/** A fitted parameter with its bootstrap interval, or null bounds when the bootstrap produced none. */
export interface ScalingParameter {
  name: string;
  estimate: number;
  lower: number | null;
  upper: number | null;
}

/** Counts and settings of the bootstrap. */
export interface ScalingBootstrapSummary {
  /** Replicates run: the requested number, or 0 when the fit passes through every point. */
  requested: number;
  /** Whether whole seeds or single points were resampled. */
  resampled: 'seeds' | 'points';
  /** Number of seeds or points drawn from. */
  groups: number;
  /** Replicates whose parameters enter the intervals. */
  converged: number;
  /** Replicates whose fit did not converge or gave a parameter outside the range of a double. */
  failed: number;
  /** Replicates whose resample had too few distinct x values or a constant loss to identify the parameters. */
  unidentifiable: number;
  confidence: number;
}

/** A fitted scaling law. */
export interface ScalingFit {
  form: ScalingForm;
  formula: string;
  /** The input variables the form uses: one of N, D, C, or N and D for two-term. */
  variables: ScalingVariable[];
  pointCount: number;
  parameters: ScalingParameter[];
  /** ln L_pred - ln L per point, in input order. */
  residuals: number[];
  /** Root mean square of `residuals`. */
  rmseLog: number;
  /** Huber objective at the estimate. */
  objective: number;
  huberDelta: number;
  converged: boolean;
  /** Accepted Levenberg-Marquardt steps of the winning start. */
  iterations: number;
  /** Grid starts scored. */
  startsTried: number;
  bootstrap: ScalingBootstrapSummary;
  warnings: string[];
}

/** The fit of one family of points. */
export interface FamilyScalingFit {
  family: string;
  fit: ScalingFit;
}
