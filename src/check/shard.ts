/**
 * Sharding: one check split into k independent processes, each measuring the work items
 * whose index modulo k is i - 1, so shards can run on different machines and be merged.
 *
 * Every shard plans the same items (the plan depends only on the options, the claims and
 * the data), so the slices are disjoint and together cover the plan. A shard writes its
 * measurements to a checkpoint file (see `checkpoint.ts`), which `bitbound merge` reads.
 */
import type { Claim } from '../claims/claim.js';
import { InvalidInputError } from '../errors.js';
import type { CellMeasurement } from './cell.js';
import type { ShardSpec } from './checkpoint.js';
import type { CheckOptions } from './options.js';
import { measureItems } from './pool.js';
import { prepareCheck, type ExecutionOptions } from './runner.js';
import type { WorkItem } from './work.js';

/** Largest shard count accepted; more shards than work items only adds empty shards. */
export const MAX_SHARD_COUNT = 100_000;

/**
 * Parses a shard argument `i/k` (1 <= i <= k), e.g. `2/3` for the second of three shards.
 *
 * @throws InvalidInputError naming `--shard`, the value and the expected form
 */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) {
    throw new InvalidInputError('--shard', text, `expected i/k with whole numbers, such as 2/3 for the second of three shards, got ${JSON.stringify(text)}`);
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARD_COUNT) {
    throw new InvalidInputError('--shard', text, `the shard count k must be from 1 to ${MAX_SHARD_COUNT}, got ${JSON.stringify(text)}`);
  }
  if (index < 1 || index > count) {
    throw new InvalidInputError('--shard', text, `the shard number i must be from 1 to k = ${count}, got ${JSON.stringify(text)}; shards are numbered from 1`);
  }
  return { index, count };
}

/** Returns the indices of the planned items that belong to a shard: i with i mod k = index - 1. */
export function shardIndices(plannedItems: number, shard: ShardSpec): number[] {
  const indices: number[] = [];
  for (let index = shard.index - 1; index < plannedItems; index += shard.count) indices.push(index);
  return indices;
}

/** Counts of the work items of a shard run. */
export interface ShardResult {
  /** Work items of the whole check. */
  readonly plannedItems: number;
  /** Work items that belong to this shard. */
  readonly assignedItems: number;
  /** Items of this shard measured, resumed ones included. */
  readonly measuredItems: number;
}

/**
 * Measures one shard of a check: loads the data, plans every work item as `runCheck` does,
 * and measures the items of the shard that `execution.onPlan` (or `done`) does not already
 * provide. Evaluation is left to `bitbound merge`. Aborting `execution.signal` stops early;
 * compare `measuredItems` with `assignedItems` to tell.
 *
 * Cost: the run context (limit kernels) plus the shard's items, about 1/k of the check.
 */
export async function measureShard(claims: readonly Claim[], options: CheckOptions, shard: ShardSpec, execution: ExecutionOptions): Promise<ShardResult> {
  const { measurer, items, done, progress, pool, measuresHere } = prepareCheck(claims, options, execution);
  const indices = shardIndices(items.length, shard);
  const shardItems = indices.map((index) => items[index]);
  const shardDone = new Map<number, CellMeasurement>();
  indices.forEach((index, local) => {
    const measurement = done.get(index);
    if (measurement !== undefined) shardDone.set(local, measurement);
  });

  progress.phase(`work items of shard ${shard.index}/${shard.count}`, shardItems.length - shardDone.size);
  let measured: (CellMeasurement | undefined)[];
  try {
    measured = await measureItems(
      shardItems,
      measurer,
      (local, measurement) => {
        progress.advance(describeWorkItem(shardItems[local]));
        execution.onItem?.(indices[local], shardItems[local], measurement);
      },
      shardDone,
      { pool, measuresHere, signal: execution.signal },
    );
  } finally {
    await pool?.close();
  }
  return {
    plannedItems: items.length,
    assignedItems: indices.length,
    measuredItems: measured.filter((measurement) => measurement !== undefined).length,
  };
}

/** Describes a work item for progress lines, e.g. `m = 256, seed 3, kappa = 0.5 (training)`. */
export function describeWorkItem(item: WorkItem): string {
  let variant = '';
  if (item.kappa !== null) variant = `, kappa = ${item.kappa}`;
  else if (item.subsetSize !== null) variant = `, ${item.subsetSize} examples`;
  return `m = ${item.width}, seed ${item.seed}${variant} (${item.level})`;
}
