/**
 * Percentile bootstrap of scaling-law parameters over resampled points or seeds.
 *
 * Each replicate draws as many groups as there are, with replacement, and refits the form:
 * first from the full-data estimate, then from the starting grid when that does not converge.
 * Replicates that cannot identify the parameters or do not converge are counted and left out,
 * never replaced by a guess.
 */

import { quantileOfSorted } from '../check/statistics.js';
import type { Rng } from '../util/rng.js';
import { checkEstimate, checkIdentifiable } from './design.js';
import type { FormModel, LogDesign } from './forms.js';
import { fitFromGrid, createProblem } from './grid.js';
import { minimizeHuber } from './levenbergMarquardt.js';
import type { ScalingParameter, ScalingPoint, ScalingVariable } from './types.js';

/** The groups a bootstrap draws from. */
export interface Resampling {
  kind: 'seeds' | 'points';
  /** Point indices of each group. */
  groups: number[][];
}

/**
 * Groups points by seed when every point has one and there are at least two seeds, so that the
 * points of one run stay together. Otherwise every point is its own group.
 */
export function chooseResampling(points: readonly ScalingPoint[], warnings: string[]): Resampling {
  const everyPointHasSeed = points.every((point) => point.seed !== undefined);
  if (everyPointHasSeed) {
    const bySeed = new Map<string, number[]>();
    points.forEach((point, index) => {
      const key = String(point.seed);
      const members = bySeed.get(key) ?? [];
      members.push(index);
      bySeed.set(key, members);
    });
    if (bySeed.size >= 2) return { kind: 'seeds', groups: [...bySeed.values()] };
    warnings.push('every point has the same seed, so the bootstrap resamples single points instead of seeds');
  }
  return { kind: 'points', groups: points.map((_, index) => [index]) };
}

/** Outcome of the replicates. */
export interface BootstrapReplicates {
  /** Reported parameter vectors of the usable replicates. */
  values: number[][];
  /** Replicates whose fit did not converge or gave a parameter outside the range of a double. */
  failed: number;
  /** Replicates whose resample had too few distinct x values or a constant loss. */
  unidentifiable: number;
}

/** Runs `replicateCount` replicates. Cost: one Levenberg-Marquardt fit per replicate, plus a grid fit for each that fails. */
export function runBootstrap(
  model: FormModel,
  design: LogDesign,
  variables: readonly ScalingVariable[],
  resampling: Resampling,
  estimate: Float64Array,
  settings: { huberDelta: number; replicateCount: number; rng: Rng },
): BootstrapReplicates {
  const { huberDelta, replicateCount, rng } = settings;
  const result: BootstrapReplicates = { values: [], failed: 0, unidentifiable: 0 };

  for (let replicate = 0; replicate < replicateCount; replicate++) {
    const indices: number[] = [];
    for (let draw = 0; draw < resampling.groups.length; draw++) {
      indices.push(...(resampling.groups[rng.nextInt(resampling.groups.length)] as number[]));
    }
    const resampled: LogDesign = {
      logInputs: design.logInputs.map((column) => Float64Array.from(indices, (index) => column[index] as number)),
      logLoss: Float64Array.from(indices, (index) => design.logLoss[index] as number),
    };
    if (checkIdentifiable(resampled, model, variables) !== null) {
      result.unidentifiable++;
      continue;
    }

    let minimum = minimizeHuber(createProblem(model, resampled), estimate, { huberDelta });
    if (!minimum.converged) minimum = fitFromGrid(model, resampled, huberDelta).minimum;
    if (!minimum.converged || checkEstimate(model, minimum, variables) !== null) {
      result.failed++;
      continue;
    }
    result.values.push(model.toReported(minimum.parameters));
  }
  return result;
}

/**
 * Smallest number of usable replicates for an interval at `confidence`: below 2 / (1 - confidence)
 * the alpha / 2 percentile is just the smallest replicate, so the interval would be set by one draw.
 */
function minimumReplicatesForInterval(confidence: number): number {
  return Math.ceil(2 / (1 - confidence));
}

/** Pairs each reported estimate with its percentile interval, or null bounds when too few replicates are usable. */
export function summarizeParameters(model: FormModel, estimate: Float64Array, values: number[][], confidence: number): ScalingParameter[] {
  const reportedEstimate = model.toReported(estimate);
  const enough = values.length >= minimumReplicatesForInterval(confidence);
  const tail = (1 - confidence) / 2;
  return model.parameterNames.map((name, column) => {
    if (!enough) return { name, estimate: reportedEstimate[column] as number, lower: null, upper: null };
    const sorted = values.map((row) => row[column] as number).sort((left, right) => left - right);
    return {
      name,
      estimate: reportedEstimate[column] as number,
      lower: quantileOfSorted(sorted, tail),
      upper: quantileOfSorted(sorted, 1 - tail),
    };
  });
}

/** Appends warnings about left-out replicates and missing intervals. */
export function describeBootstrap(replicates: BootstrapReplicates, requested: number, confidence: number, warnings: string[]): void {
  if (requested === 0) return;
  const leftOut = replicates.failed + replicates.unidentifiable;
  if (leftOut > 0) {
    warnings.push(
      `${leftOut} of ${requested} bootstrap replicates were left out (${replicates.unidentifiable} resamples had too few ` +
        `distinct x values or a constant loss to identify the parameters, ${replicates.failed} fits did not converge or ` +
        `gave a parameter outside the range of a double); the intervals come from the other ${replicates.values.length}`,
    );
  }
  const needed = minimumReplicatesForInterval(confidence);
  if (replicates.values.length < needed) {
    warnings.push(
      `only ${replicates.values.length} usable bootstrap replicates, fewer than the ${needed} a ${confidence} ` +
        'interval needs, so no intervals are reported; raise the replicates or add points',
    );
  }
}
