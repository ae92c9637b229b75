/**
 * `bitbound merge SHARD...`: reads the shard files of a check run with `--shard i/k` and
 * checks that they come from one run and together contain every work item exactly once.
 * Then it evaluates the claims on the merged measurements and writes the report, which is
 * byte-identical to the report of the same check run unsharded. Exit status as for `check`: 0, 1 when a claim
 * was violated or refuted, 2 for invalid input (the message names the file or shard at fault).
 *
 * The merge loads the data again (the report needs the limit kernels), so a data file must be
 * at the path the shards used; its digest must equal the one the shards recorded.
 */
import { Command } from 'commander';
import { CATALOGUE } from '../../proofs/index.js';
import type { Claim } from '../claims/claim.js';
import type { CellMeasurement } from '../check/cell.js';
import {
  canonicalJson,
  checkpointFingerprint,
  datasetDigest,
  describeIdentityDifferences,
  readCheckpoint,
  sameItem,
  type CheckpointEntry,
  type LoadedCheckpoint,
  type ShardSpec,
} from '../check/checkpoint.js';
import { validateCheckOptions, type CheckOptions } from '../check/options.js';
import { hasFailingVerdict, runCheck } from '../check/runner.js';
import { shardIndices } from '../check/shard.js';
import { InvalidInputError } from '../errors.js';
import { buildReport, reproductionCommand, serializeReport, type CheckReport } from '../report/report.js';
import { renderVerdictTable } from '../report/table.js';
import { DEFAULT_REPORT_PATH } from './check.js';
import { checkOutputPath, datasetInputs, writeOutputFile } from './paths.js';

/** Builds the `merge` command. */
export function createMergeCommand(): Command {
  return new Command('merge')
    .description('evaluate the claims on the shard files of a check run with --shard i/k and write its report')
    .argument('<shards...>', 'shard files written by bitbound check --shard i/k (all k of them)')
    .option('-o, --output <path>', 'path of the JSON report', DEFAULT_REPORT_PATH)
    .option('--json', 'print the JSON report on stdout instead of the table')
    .action(async (files: string[], flags: { output: string; json?: boolean }) => {
      const hint = { example: 'report.json' };
      checkOutputPath('-o', flags.output, files.map((file) => ({ path: file, description: 'an input shard file' })), hint);
      const shards = loadShardFiles(files, (text) => process.stderr.write(`bitbound: note: ${text}\n`));
      checkOutputPath('-o', flags.output, datasetInputs(shards.options.dataset, 'the data set the shards measured'), hint);
      const report = await evaluateShards(shards);
      const serialized = serializeReport(report);
      writeOutputFile('-o', flags.output, serialized);
      process.stdout.write(flags.json ? serialized : renderVerdictTable(report));
      if (!flags.json) process.stdout.write(`JSON report: ${flags.output}\n`);
      if (hasFailingVerdict(report.claims.map((claim) => claim.verdict))) process.exitCode = 1;
    });
}

/**
 * Merges shard files into the report of the whole check: loadShardFiles, then evaluateShards.
 *
 * @param note receives one-line notes, e.g. about a cut-off last line
 * @throws InvalidInputError naming the files, shards or items at fault and the fix
 */
export async function mergeShardFiles(files: readonly string[], note: (text: string) => void = () => {}): Promise<CheckReport> {
  return evaluateShards(loadShardFiles(files, note));
}

/** Shard files of one run, checked to contain every work item exactly once. */
export interface LoadedShards {
  /** The first file, whose header the others match. */
  readonly first: LoadedCheckpoint;
  readonly options: CheckOptions;
  readonly claims: Claim[];
  /** Measurement of each work item, by item index. */
  readonly done: Map<number, CellMeasurement>;
  /** File and line of each work item, by item index. */
  readonly source: Map<number, { file: string; entry: CheckpointEntry }>;
}

/**
 * Reads shard files and checks that they form one complete run. A file without a shard (the
 * checkpoint of an unsharded run) counts as shard 1/1. No claim is evaluated yet.
 *
 * Checks, in order:
 * - every file is a readable checkpoint;
 * - all share one fingerprint, claim arguments, data digest and shard count;
 * - no shard is given twice, and none is missing;
 * - every entry belongs to its file's shard, and no item appears twice;
 * - every shard is complete.
 *
 * @param note receives one-line notes, e.g. about a cut-off last line
 * @throws InvalidInputError naming the files, shards or items at fault and the fix
 */
export function loadShardFiles(files: readonly string[], note: (text: string) => void = () => {}): LoadedShards {
  if (files.length === 0) throw new InvalidInputError('shards', '', 'no shard file given; pass the files written by bitbound check --shard i/k');
  const loaded = files.map((file) => readCheckpoint(file));
  for (const shard of loaded) {
    if (shard.tornTail) note(`${shard.path}: the last line was cut off (the shard was killed while writing it) and is ignored`);
  }

  const first = loaded[0];
  checkSameRun(loaded);
  const { options, claims } = identityFromHeader(first);
  const count = shardOf(first).count;
  const shardCommand = `${reproductionCommand(options, first.header.claimArguments)} --shard`;
  const byShard = groupByShard(loaded, count, shardCommand);

  const done = new Map<number, CellMeasurement>();
  const source = new Map<number, { file: string; entry: CheckpointEntry }>();
  for (const shard of loaded) {
    const { index: shardIndex } = shardOf(shard);
    for (const entry of shard.entries) {
      if (entry.index % count !== shardIndex - 1 || entry.index >= first.header.plannedItems) {
        throw new InvalidInputError(`${shard.path} line ${entry.line}`, entry.index, `holds work item ${entry.index}, which does not belong to shard ${shardIndex}/${count}; the file was edited or damaged, so rerun that shard`);
      }
      const earlier = source.get(entry.index);
      if (earlier !== undefined) {
        throw new InvalidInputError(
          `${shard.path} line ${entry.line}`,
          entry.index,
          `work item ${entry.index} appears twice (also ${earlier.file} line ${earlier.entry.line}); remove the duplicate line or rerun shard ${shardIndex}/${count}`,
        );
      }
      source.set(entry.index, { file: shard.path, entry });
      done.set(entry.index, entry.measurement);
    }
  }
  checkComplete(byShard, done, count, first.header.plannedItems, shardCommand);
  return { first, options, claims, done, source };
}

/**
 * Loads the data again and evaluates the claims on loaded shards, after checking that the
 * merged items and data match what this program plans.
 *
 * @throws InvalidInputError when this version plans other work items or the data file changed
 */
export async function evaluateShards(shards: LoadedShards): Promise<CheckReport> {
  const { first, options, claims, done, source } = shards;
  const result = await runCheck(claims, options, {
    workers: 1,
    done,
    onPlan: (items, context) => {
      if (items.length !== first.header.plannedItems) {
        throw new InvalidInputError('shards', first.path, `the shards planned ${first.header.plannedItems} work items but this bitbound plans ${items.length} for the same options; merge with the version that ran the shards`);
      }
      for (const [index, { file, entry }] of source) {
        if (!sameItem(items[index], entry.item)) {
          throw new InvalidInputError(`${file} line ${entry.line}`, index, `work item ${index} differs from the one this bitbound plans for the same options; merge with the version that ran the shards`);
        }
      }
      if (datasetDigest(context.dataset) !== first.header.dataDigest) {
        throw new InvalidInputError('--dataset', options.dataset, `the data loaded here differs from the data the shards measured (another file at that path, or an edited one); merge where the shards' data file is at ${options.dataset}`);
      }
      return done;
    },
  });
  return buildReport(result, first.header.claimArguments);
}

function shardOf(loaded: LoadedCheckpoint): ShardSpec {
  return loaded.header.shard ?? { index: 1, count: 1 };
}

/** Rejects files from different runs, naming the options that differ. */
function checkSameRun(loaded: readonly LoadedCheckpoint[]): void {
  const first = loaded[0];
  for (const other of loaded.slice(1)) {
    if (other.header.fingerprint !== first.header.fingerprint) {
      const differences = describeIdentityDifferences(other.header, first.header, first.path);
      const detail = differences.length > 0 ? differences.join(', ') : 'a different fingerprint';
      throw new InvalidInputError(other.path, other.header.fingerprint.slice(0, 12), `comes from a different run than ${first.path}: ${detail}; merge only the shards of one run`);
    }
    if (canonicalJson(other.header.claimArguments) !== canonicalJson(first.header.claimArguments)) {
      throw new InvalidInputError(
        other.path,
        other.header.claimArguments.join(' '),
        `was run with claim arguments "${other.header.claimArguments.join(' ')}" but ${first.path} with "${first.header.claimArguments.join(' ')}"; run every shard with the same claim arguments`,
      );
    }
    if (other.header.dataDigest !== first.header.dataDigest) {
      throw new InvalidInputError(other.path, other.header.options.dataset, `measured different data than ${first.path} (the data file differed between machines); rerun the shards on the same data`);
    }
    if (shardOf(other).count !== shardOf(first).count) {
      throw new InvalidInputError(other.path, `${shardOf(other).index}/${shardOf(other).count}`, `splits the check into ${shardOf(other).count} shards but ${first.path} into ${shardOf(first).count}; merge shards of one split`);
    }
  }
}

/** Returns the claims and validated options a header names, checking its fingerprint. */
function identityFromHeader(loaded: LoadedCheckpoint): { options: CheckOptions; claims: Claim[] } {
  const { header } = loaded;
  const claims = header.claims.map((id) => {
    const claim = CATALOGUE.find((entry) => entry.id === id);
    if (claim === undefined) throw new InvalidInputError(`${loaded.path} line 1`, id, `names claim ${JSON.stringify(id)}, which this bitbound does not know; merge with the version that ran the shards`);
    return claim;
  });
  if (header.fingerprint !== checkpointFingerprint(header.options, header.claims)) {
    throw new InvalidInputError(`${loaded.path} line 1`, header.fingerprint.slice(0, 12), 'has a fingerprint that does not match its options, so the file was edited; rerun that shard');
  }
  return { options: validateCheckOptions(header.options), claims };
}

/** Maps shard numbers to their file, rejecting a shard given twice. */
function groupByShard(loaded: readonly LoadedCheckpoint[], count: number, shardCommand: string): Map<number, LoadedCheckpoint> {
  const byShard = new Map<number, LoadedCheckpoint>();
  for (const shard of loaded) {
    const { index } = shardOf(shard);
    const earlier = byShard.get(index);
    if (earlier !== undefined) {
      throw new InvalidInputError('shards', `${index}/${count}`, `shard ${index}/${count} is given twice (${earlier.path} and ${shard.path}); pass each shard file once`);
    }
    byShard.set(index, shard);
  }
  const missing = Array.from({ length: count }, (_, index) => index + 1).filter((index) => !byShard.has(index));
  if (missing.length > 0) {
    const names = missing.map((index) => `${index}/${count}`).join(', ');
    throw new InvalidInputError('shards', names, `shard${missing.length > 1 ? 's' : ''} ${names} missing; run ${shardCommand} ${missing[0]}/${count} (and the others) and pass every shard file`);
  }
  return byShard;
}

/** Rejects a shard that has not measured all of its items, naming it and how to finish it. */
function checkComplete(byShard: Map<number, LoadedCheckpoint>, done: Map<number, CellMeasurement>, count: number, planned: number, shardCommand: string): void {
  for (const [index, shard] of [...byShard].sort(([a], [b]) => a - b)) {
    const assigned = shardIndices(planned, { index, count });
    const missing = assigned.filter((item) => !done.has(item));
    if (missing.length > 0) {
      throw new InvalidInputError(
        shard.path,
        `${index}/${count}`,
        `shard ${index}/${count} is incomplete: ${assigned.length - missing.length} of ${assigned.length} work items measured (first missing: item ${missing[0]}); ` +
          `finish it with ${shardCommand} ${index}/${count} -o ${shard.path} --resume`,
      );
    }
  }
}
