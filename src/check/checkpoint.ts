/**
 * Checkpoint files: the measurements of finished work items, appended as they complete, so
 * an interrupted check can resume and a sharded check can be merged.
 *
 * Format: JSON Lines. The first line is a header that identifies the run (options, claims,
 * a fingerprint of both, a digest of the data, the number of planned items and the shard).
 * Every further line contains one finished item: `{"index":3,"item":{...},"measurement":{...}}`.
 * Numbers that JSON cannot hold (NaN, Infinity, -Infinity, -0) are written as those strings,
 * so a measurement read back is bit-identical to the one measured, and a resumed check writes
 * the same report as an uninterrupted one.
 *
 * Durability: each line is written with one `write` and then `fsync`ed, so a line on disk
 * survives a crash of the process or the machine. A process killed in the middle of a write
 * leaves at most one incomplete last line, without its final newline. The reader drops that
 * line, and its item is measured again. One append-only file was chosen over a directory of small files
 * because it costs one fsync per item (a file per item needs the file and its directory
 * synced), it is a single file to copy between machines for a merge, and a torn write can
 * only affect the last line, which is easy to detect.
 */
import { ensureDirectory } from '../report/atomic.js';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import type { Claim } from '../claims/claim.js';
import type { Dataset } from '../data/dataset.js';
import { InvalidInputError } from '../errors.js';
import { REPORT_FORMAT_VERSION } from '../report/report.js';
import { TOOL_VERSION } from '../version.js';
import type { CellMeasurement } from './cell.js';
import { CHECK_OPTION_FLAGS, type CheckOptions } from './options.js';
import type { WorkItem } from './work.js';

/** Value of the header's `format` field. */
export const CHECKPOINT_FORMAT = 'bitbound-checkpoint';

/** Version of the checkpoint layout; a reader rejects any other. */
export const CHECKPOINT_VERSION = 1;

/** A slice of the planned work items: those whose index modulo `count` is `index - 1`. */
export interface ShardSpec {
  /** 1-based shard number, from 1 to `count`. */
  readonly index: number;
  readonly count: number;
}

/** First line of a checkpoint file. */
export interface CheckpointHeader {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  /** Version of bitbound that wrote the file. */
  readonly tool: string;
  /** Format version of the report the measurements feed. */
  readonly reportFormat: number;
  /** SHA-256 of the canonical JSON of tool, reportFormat, options and claims; see `checkpointFingerprint`. */
  readonly fingerprint: string;
  /** Claim ids, in catalogue order. */
  readonly claims: readonly string[];
  /** Claim arguments as typed on the command line; the report's reproduction command uses them. */
  readonly claimArguments: readonly string[];
  readonly options: CheckOptions;
  /** SHA-256 of the loaded data; see `datasetDigest`. */
  readonly dataDigest: string;
  /** Number of work items of the whole check (all shards). */
  readonly plannedItems: number;
  /** The shard this file holds, or null for an unsharded check. */
  readonly shard: ShardSpec | null;
}

/** One finished work item of a checkpoint file. */
export interface CheckpointEntry {
  readonly index: number;
  readonly item: WorkItem;
  readonly measurement: CellMeasurement;
  /** 1-based line number in the file, for messages. */
  readonly line: number;
}

/** A checkpoint file as read from disk. */
export interface LoadedCheckpoint {
  readonly path: string;
  readonly header: CheckpointHeader;
  readonly entries: readonly CheckpointEntry[];
  /** True when the last line had no final newline and was dropped. */
  readonly tornTail: boolean;
  /** Length in bytes of the complete lines; appending starts here. */
  readonly validLength: number;
}

/** Identity of a run as known before the data is loaded. */
export interface RunIdentity {
  readonly options: CheckOptions;
  readonly claims: readonly Claim[];
  readonly claimArguments: readonly string[];
  readonly shard: ShardSpec | null;
}

/**
 * Returns the fingerprint of a run: the SHA-256 (hex) of the canonical JSON (keys sorted at
 * every level) of the tool version, the report format, every check option and the claim
 * ids. Two runs with the same fingerprint plan the same work items and build the same report
 * from the same measurements. Worker count, output paths and progress are not part of it.
 * NOTE: it contains the version number, not the build, so a checkpoint written by an older build
 * of the same version is accepted even if the simulation changed in between.
 */
export function checkpointFingerprint(options: CheckOptions, claimIds: readonly string[]): string {
  const identity = { tool: TOOL_VERSION, reportFormat: REPORT_FORMAT_VERSION, options, claims: claimIds };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/**
 * Returns the SHA-256 (hex) of a loaded data set: its size, dimension, inputs and targets as
 * little-endian float64. It changes when a data file is edited between a run and its resume
 * or between shards. Cost: O(n d).
 */
export function datasetDigest(dataset: Dataset): string {
  const hash = createHash('sha256');
  hash.update(`${dataset.size}x${dataset.dimension}\n`);
  hash.update(littleEndianBytes(dataset.inputs));
  hash.update(littleEndianBytes(dataset.targets));
  return hash.digest('hex');
}

/** Builds the header of a new checkpoint file. */
export function createCheckpointHeader(identity: RunIdentity, dataDigest: string, plannedItems: number): CheckpointHeader {
  const claimIds = identity.claims.map((claim) => claim.id);
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    tool: TOOL_VERSION,
    reportFormat: REPORT_FORMAT_VERSION,
    fingerprint: checkpointFingerprint(identity.options, claimIds),
    claims: claimIds,
    claimArguments: [...identity.claimArguments],
    options: identity.options,
    dataDigest,
    plannedItems,
    shard: identity.shard,
  };
}

/**
 * Lists how a stored header differs from another run, as `--widths 8,16 (this run:
 * 8,16,32)` phrases naming the command-line options; empty when the identities agree.
 * `other` describes the other run: its tool version, options and claim ids.
 */
export function describeIdentityDifferences(
  header: CheckpointHeader,
  other: { readonly tool: string; readonly reportFormat: number; readonly options: CheckOptions; readonly claims: readonly string[] },
  otherLabel = 'this run',
): string[] {
  const differences: string[] = [];
  if (header.tool !== other.tool) differences.push(`bitbound version ${header.tool} (${otherLabel}: ${other.tool})`);
  if (header.reportFormat !== other.reportFormat) differences.push(`report format ${header.reportFormat} (${otherLabel}: ${other.reportFormat})`);
  if (canonicalJson(header.claims) !== canonicalJson(other.claims)) {
    differences.push(`claims ${header.claims.join(',')} (${otherLabel}: ${other.claims.join(',')})`);
  }
  for (const [key, flag] of CHECK_OPTION_FLAGS) {
    const stored = (header.options as unknown as Record<string, unknown>)[key];
    const current = (other.options as unknown as Record<string, unknown>)[key];
    if (canonicalJson(stored) !== canonicalJson(current)) differences.push(`${flag} ${formatOption(key, stored)} (${otherLabel}: ${formatOption(key, current)})`);
  }
  return differences;
}

/** Returns the identity of a run of this program, for `describeIdentityDifferences`. */
export function currentIdentity(options: CheckOptions, claimIds: readonly string[]): { tool: string; reportFormat: number; options: CheckOptions; claims: readonly string[] } {
  return { tool: TOOL_VERSION, reportFormat: REPORT_FORMAT_VERSION, options, claims: claimIds };
}

/**
 * Appends finished items to a checkpoint file, one fsynced JSON line each. Create it with
 * `create` for a new file or `append` to continue a loaded one.
 */
export class CheckpointWriter {
  /** Byte offset of the end of the file, where the next line goes. */
  private position = 0;

  private constructor(
    readonly path: string,
    private descriptor: number | null,
  ) {}

  /**
   * Creates a new file holding only `header`, failing if the path exists. Syncs the file and
   * its directory, so the header survives a crash.
   */
  static create(target: string, header: CheckpointHeader): CheckpointWriter {
    const directory = path.dirname(path.resolve(target));
    ensureDirectory(directory);
    const descriptor = fs.openSync(target, 'wx');
    const writer = new CheckpointWriter(target, descriptor);
    writer.writeLine(JSON.stringify(header));
    syncDirectory(directory);
    return writer;
  }

  /** Opens a loaded file for appending, first cutting off a torn last line. */
  static append(loaded: LoadedCheckpoint): CheckpointWriter {
    const descriptor = fs.openSync(loaded.path, 'r+');
    fs.ftruncateSync(descriptor, loaded.validLength);
    fs.fsyncSync(descriptor);
    const writer = new CheckpointWriter(loaded.path, descriptor);
    writer.position = loaded.validLength;
    return writer;
  }

  /** Appends one finished item and syncs it to disk before returning. */
  appendItem(index: number, item: WorkItem, measurement: CellMeasurement): void {
    this.writeLine(encodeEntry({ index, item, measurement }));
  }

  /** Closes the file; further appends throw. */
  close(): void {
    if (this.descriptor === null) return;
    fs.closeSync(this.descriptor);
    this.descriptor = null;
  }

  /** Writes `text` and a newline at the end of the file, then fsyncs. */
  writeLine(text: string): void {
    if (this.descriptor === null) throw new Error(`CheckpointWriter: ${this.path} is closed`);
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    let written = 0;
    while (written < bytes.length) {
      written += fs.writeSync(this.descriptor, bytes, written, bytes.length - written, this.position + written);
    }
    this.position += bytes.length;
    fs.fsyncSync(this.descriptor);
  }
}

/** Options of `CheckpointSession.open`. */
export interface CheckpointSessionOptions {
  readonly path: string;
  /** Continue the file at `path` when it exists; without it an existing file is an error. */
  readonly resume: boolean;
  readonly identity: RunIdentity;
  /** Receives one-line notes for the user (resumed items, a dropped torn line). */
  readonly note: (text: string) => void;
}

/**
 * The checkpoint of one run: checks a file to resume against the run before any work,
 * matches its entries with the planned items, and appends each newly finished item.
 * Use `onPlan` and `onItem` as the runner's execution hooks.
 */
export class CheckpointSession {
  private writer: CheckpointWriter | null = null;
  private measured = 0;

  private constructor(
    private readonly options: CheckpointSessionOptions,
    private readonly loaded: LoadedCheckpoint | null,
  ) {}

  /**
   * Opens the checkpoint of a run. With `resume`, an existing file is read, and it must have
   * been written by a run with the same fingerprint and shard. A missing file, or one cut off
   * before its header was complete, starts the run from the first item.
   *
   * @throws InvalidInputError when the file exists without `resume`, or belongs to another run
   */
  static open(options: CheckpointSessionOptions): CheckpointSession {
    const { path: file, resume, identity, note } = options;
    const stats = statIfPresent(file);
    if (stats !== undefined && !stats.isFile()) {
      throw new InvalidInputError(file, file, 'is a directory or another non-file, not a checkpoint; pass a file path with --checkpoint (or -o with --shard)');
    }
    const exists = stats !== undefined;
    if (exists && !resume) {
      throw new InvalidInputError(file, file, 'a checkpoint of an earlier run exists here; add --resume to continue that run, or delete the file to start over');
    }
    if (!exists) {
      if (resume) note(`no checkpoint at ${file}; starting from the first work item`);
      return new CheckpointSession(options, null);
    }
    if (!hasCompleteFirstLine(file)) {
      note(`checkpoint ${file} has no complete header (the run stopped while creating it); starting from the first work item`);
      fs.rmSync(file);
      return new CheckpointSession(options, null);
    }

    const loaded = readCheckpoint(file);
    const claimIds = identity.claims.map((claim) => claim.id);
    const differences = describeIdentityDifferences(loaded.header, currentIdentity(identity.options, claimIds));
    if (canonicalJson(loaded.header.shard) !== canonicalJson(identity.shard)) {
      differences.push(`${describeShard(loaded.header.shard)} (this run: ${describeShard(identity.shard)})`);
    }
    if (differences.length > 0) {
      throw new InvalidInputError('--resume', file, `checkpoint ${file} was made with ${differences.join(', ')}; rerun with the checkpoint's options, or delete it to start over`);
    }
    if (loaded.header.fingerprint !== checkpointFingerprint(identity.options, claimIds)) {
      throw new InvalidInputError('--resume', file, `checkpoint ${file} has a fingerprint that does not match its own options, so it was edited; delete it to start over`);
    }
    if (loaded.tornTail) note(`checkpoint ${file}: the last line was cut off (the run was killed while writing it) and is ignored; its item will be measured again`);
    return new CheckpointSession(options, loaded);
  }

  /** Path of the checkpoint file. */
  get path(): string {
    return this.options.path;
  }

  /** Items measured so far, resumed ones included. */
  get measuredItems(): number {
    return this.measured;
  }

  /**
   * Runner hook: checks a resumed file against the plan and the data, then opens the file
   * for appending (creating it with its header for a new run). Returns the resumed
   * measurements by item index.
   *
   * @throws InvalidInputError when the resumed file planned another number of items or was
   *   made from different data
   */
  onPlan(items: readonly WorkItem[], dataset: Dataset): Map<number, CellMeasurement> {
    const digest = datasetDigest(dataset);
    if (this.loaded === null) {
      try {
        this.writer = CheckpointWriter.create(this.options.path, createCheckpointHeader(this.options.identity, digest, items.length));
      } catch (error) {
        throw writeError(this.options.path, error);
      }
      return new Map();
    }

    const { header, entries } = this.loaded;
    if (header.plannedItems !== items.length) {
      throw new InvalidInputError('--resume', this.path, `checkpoint ${this.path} planned ${header.plannedItems} work items but this run plans ${items.length}; delete it to start over`);
    }
    if (header.dataDigest !== digest) {
      throw new InvalidInputError('--resume', this.path, `the data set ${this.options.identity.options.dataset} changed since checkpoint ${this.path} was written; restore the data, or delete the checkpoint to start over`);
    }
    const { done, ignored } = matchEntries(entries, items);
    if (ignored > 0) {
      const entries = ignored === 1 ? '1 entry does' : `${ignored} entries do`;
      this.options.note(`checkpoint ${this.path}: ${entries} not match a planned work item and ${ignored === 1 ? 'is' : 'are'} ignored`);
    }
    this.options.note(`resuming from ${this.path}: ${done.size} work items already measured`);
    this.measured = done.size;
    this.writer = CheckpointWriter.append(this.loaded);
    return done;
  }

  /** Runner hook: appends a finished item durably. */
  onItem(index: number, item: WorkItem, measurement: CellMeasurement): void {
    if (this.writer === null) throw new Error('CheckpointSession.onItem: called before onPlan');
    try {
      this.writer.appendItem(index, item, measurement);
    } catch (error) {
      throw writeError(this.options.path, error);
    }
    this.measured++;
  }

  /** Closes the file, keeping it. */
  close(): void {
    this.writer?.close();
  }

  /** Closes and deletes the file, after a complete run. */
  remove(): void {
    this.close();
    fs.rmSync(this.options.path, { force: true });
  }
}

/** Formats a shard as `shard 2/3`, or `no --shard`. */
export function describeShard(shard: ShardSpec | null): string {
  return shard === null ? 'no --shard' : `--shard ${shard.index}/${shard.count}`;
}

/**
 * Reads a checkpoint or shard file. A last line without its final newline (a write cut off
 * by a kill) is dropped and reported in `tornTail`. Any other malformed line is an error,
 * and every complete entry is checked field by field against the shape `measureCell` writes.
 *
 * @throws InvalidInputError naming the file and line for a missing or unreadable file, a
 *   missing or invalid header, an unknown format version, or a malformed entry. For an
 *   invalid measured value it also names the field, such as `values.dev_max_H0`.
 */
export function readCheckpoint(file: string): LoadedCheckpoint {
  const bytes = readWholeFile(file);
  const lines = splitLines(bytes);
  const complete = lines.filter((line) => line.complete);
  if (complete.length === 0) {
    throw new InvalidInputError(file, '', 'has no complete header line, so it is not a bitbound checkpoint (or the run stopped while creating it); delete it to start over');
  }

  const header = parseHeader(file, bytes.toString('utf8', complete[0].start, complete[0].end));
  const entries = complete.slice(1).map((line, offset) => parseEntry(file, offset + 2, bytes.toString('utf8', line.start, line.end), header.shard));
  const last = lines[lines.length - 1];
  const tornTail = !last.complete;
  const validLength = tornTail ? last.start : bytes.length;
  return { path: file, header, entries, tornTail, validLength };
}

/**
 * Matches checkpoint entries against the planned items: an entry counts when its index is
 * planned and its item equals the planned one. Later duplicates of an index are ignored.
 * Returns the measurements by index and the number of entries ignored.
 */
export function matchEntries(entries: readonly CheckpointEntry[], items: readonly WorkItem[]): { done: Map<number, CellMeasurement>; ignored: number } {
  const done = new Map<number, CellMeasurement>();
  let ignored = 0;
  for (const entry of entries) {
    const planned = items[entry.index];
    if (planned === undefined || !sameItem(planned, entry.item) || done.has(entry.index)) {
      ignored++;
      continue;
    }
    done.set(entry.index, entry.measurement);
  }
  return { done, ignored };
}

/** Returns true when two work items name the same cell and variant. */
export function sameItem(a: WorkItem, b: WorkItem): boolean {
  return a.width === b.width && a.seed === b.seed && a.level === b.level && a.kappa === b.kappa && a.subsetSize === b.subsetSize;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Serializes an entry with non-finite numbers and -0 kept as strings. */
export function encodeEntry(entry: { index: number; item: WorkItem; measurement: CellMeasurement }): string {
  return JSON.stringify(entry, (_, value: unknown) => {
    if (typeof value !== 'number') return value;
    if (!Number.isFinite(value)) return String(value);
    return Object.is(value, -0) ? '-0' : value;
  });
}

/** Parses an entry written by `encodeEntry`. */
export function decodeEntry(text: string): unknown {
  return JSON.parse(text, (_, value: unknown) => (typeof value === 'string' && SPECIAL_NUMBERS.has(value) ? SPECIAL_NUMBERS.get(value) : value));
}

const SPECIAL_NUMBERS = new Map<string, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
]);


function formatOption(key: keyof CheckOptions, value: unknown): string {
  if (value === null || value === undefined) return 'unset';
  if (Array.isArray(value)) return value.join(',');
  if (key === 'memoryLimitBytes' && typeof value === 'number') return `${value / 1024 ** 3}`;
  return String(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, sortKeys(record[key])]));
  }
  return value;
}

function littleEndianBytes(values: Float64Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return bytes;
}

/** Fsyncs a directory so a newly created entry in it survives a crash; a no-op where unsupported. */
function syncDirectory(directory: string): void {
  let descriptor: number | null = null;
  try {
    descriptor = fs.openSync(directory, 'r');
    fs.fsyncSync(descriptor);
  } catch {
    // Some platforms (Windows) cannot open or sync a directory; the file's own fsync still holds.
  } finally {
    if (descriptor !== null) fs.closeSync(descriptor);
  }
}

/** Returns the file's stats, or undefined when nothing exists at the path (a parent that is a file included). */
function statIfPresent(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Returns true when the file contains a newline, i.e. a complete first line, within its first MiB. */
function hasCompleteFirstLine(file: string): boolean {
  const descriptor = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    const length = fs.readSync(descriptor, chunk, 0, chunk.length, 0);
    return chunk.subarray(0, length).includes(0x0a);
  } finally {
    fs.closeSync(descriptor);
  }
}

function readWholeFile(file: string): Buffer {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (error) {
    throw fileError(file, error);
  }
  if (!stats.isFile()) throw new InvalidInputError(file, file, 'is not a regular file; pass the path of a checkpoint or shard file');
  if (stats.size > bufferConstants.MAX_LENGTH) {
    throw new InvalidInputError(file, stats.size, `is ${stats.size} bytes, more than this Node.js can read at once (${bufferConstants.MAX_LENGTH}); it cannot be a checkpoint of a run this machine can finish`);
  }
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw fileError(file, error);
  }
}

/** Turns a failed create or write of a checkpoint into an error that names the path and the fix. */
export function writeError(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return error instanceof Error ? error : new Error(String(error));
  return new InvalidInputError(file, file, `cannot be written (${code}); choose a writable path with --checkpoint (or -o with --shard), or pass --no-checkpoint`);
}

function fileError(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InvalidInputError(file, file, 'file not found; check the path');
  if (code === 'EACCES' || code === 'EPERM') return new InvalidInputError(file, file, 'file cannot be read: permission denied; check its permissions');
  if (code === 'EISDIR') return new InvalidInputError(file, file, 'is a directory; pass the path of a checkpoint or shard file');
  return error instanceof Error ? error : new Error(String(error));
}

/** Splits a buffer at newlines; a last segment without a newline is marked incomplete (empty ones are dropped). */
function splitLines(bytes: Buffer): { start: number; end: number; complete: boolean }[] {
  const lines: { start: number; end: number; complete: boolean }[] = [];
  let start = 0;
  for (;;) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0) break;
    lines.push({ start, end: newline, complete: true });
    start = newline + 1;
  }
  if (start < bytes.length) lines.push({ start, end: bytes.length, complete: false });
  return lines;
}

function parseHeader(file: string, text: string): CheckpointHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${file} line 1`, text.slice(0, 40), 'is not JSON, so the file is not a bitbound checkpoint; pass a file written by bitbound check');
  }
  const header = value as Partial<CheckpointHeader> | null;
  if (header === null || typeof header !== 'object' || header.format !== CHECKPOINT_FORMAT) {
    throw new InvalidInputError(`${file} line 1`, text.slice(0, 40), `has no "format": "${CHECKPOINT_FORMAT}" field, so the file is not a bitbound checkpoint; pass a file written by bitbound check`);
  }
  if (header.version !== CHECKPOINT_VERSION) {
    throw new InvalidInputError(`${file} line 1`, header.version, `is checkpoint format version ${String(header.version)}, but this bitbound reads version ${CHECKPOINT_VERSION}; rerun the check with this version`);
  }
  const valid =
    typeof header.fingerprint === 'string' &&
    typeof header.tool === 'string' &&
    typeof header.reportFormat === 'number' &&
    isStringArray(header.claims) &&
    isStringArray(header.claimArguments) &&
    header.options !== null &&
    typeof header.options === 'object' &&
    typeof header.dataDigest === 'string' &&
    Number.isSafeInteger(header.plannedItems) &&
    (header.plannedItems as number) >= 0 &&
    (header.shard === null || isShard(header.shard));
  if (!valid) throw new InvalidInputError(`${file} line 1`, text.slice(0, 40), 'is a checkpoint header with missing or malformed fields; delete the file and rerun the check');
  return header as CheckpointHeader;
}

function parseEntry(file: string, line: number, text: string, shard: ShardSpec | null): CheckpointEntry {
  const fix = shard === null ? 'delete it and rerun the check' : `delete it and measure shard ${shard.index}/${shard.count} again`;
  const invalid = (reason: string, value: unknown = text.slice(0, 40)): InvalidInputError =>
    new InvalidInputError(`${file} line ${line}`, value, `${reason}; the file is damaged, so ${fix}`);
  const check = new FieldCheck(invalid);

  // Parse without a reviver, so a spelled-out "NaN" stays distinguishable from an overflowed literal such as 1e400.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('is not JSON although a complete line');
  }
  if (!isRecord(value) || !Number.isSafeInteger(value.index) || (value.index as number) < 0) throw invalid('has no valid "index"');
  if (!isRecord(value.item)) throw invalid('has no valid "item"');
  const item = readWorkItem(value.item, check);
  const measurement = value.measurement;
  if (!isRecord(measurement) || measurement.width !== item.width || measurement.seed !== item.seed || measurement.level !== item.level) {
    throw invalid('has a "measurement" that does not match its item');
  }
  return { index: value.index as number, item, measurement: readMeasurement(measurement, item.level, check), line };
}

/** Throws the error of one invalid field of a checkpoint line, named by its path such as `values.dev_max_H0`. */
class FieldCheck {
  constructor(private readonly invalid: (reason: string, value: unknown) => InvalidInputError) {}

  /** Throws the error for `field` containing `value` in place of `expected`. */
  expected(field: string, value: unknown, expected: string): never {
    throw this.invalid(`${field} is ${describeFieldValue(value)}, expected ${expected}`, value);
  }

  /** Throws the error for `field`, which bitbound never writes in `place`. */
  unknown(field: string, value: unknown, place: string): never {
    throw this.invalid(`${field} is not a field of ${place}`, value);
  }
}

/** Describes a value read from JSON for a message: missing, quoted as JSON, or out of range. */
function describeFieldValue(value: unknown): string {
  if (value === undefined) return 'missing';
  // JSON.parse returns a non-finite number only for a literal beyond the float64 range.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number beyond the float64 range';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/**
 * Policy that decides where a measured number may be NaN or infinite. `measureCell` records
 * such values only on purpose, so anywhere else they mean the file is damaged:
 * - `never`: measured before training. Data rows have unit norm and kappa stays within
 *   KAPPA_RANGE, so kernels, their distances and the initial outputs are finite.
 * - `if-diverged`: measured along or after training. The trainer stops at the first loss that
 *   is not finite or exceeds its ceiling and records a divergence, so a run without one is finite.
 * - `training-level`: measured on a linearized trajectory, which no divergence check stops, so
 *   it may overflow in any training-level record.
 */
type NonFinitePolicy = 'never' | 'if-diverged' | 'training-level';

/** Rule for one numeric field of a measurement. */
type FieldRule =
  | { readonly kind: 'integer'; readonly minimum: number }
  | {
      readonly kind: 'measured';
      /** True for distances, norms and losses, which cannot be negative. */
      readonly nonNegative: boolean;
      readonly nonFinite: NonFinitePolicy;
      /** True for a field that only some records contain. */
      readonly optional?: boolean;
    };

const COUNT: FieldRule = { kind: 'integer', minimum: 1 };
const INDEX: FieldRule = { kind: 'integer', minimum: 0 };
/** An eigenvalue of a positive semi-definite kernel, which rounding can make slightly negative. */
const EIGENVALUE: FieldRule = { kind: 'measured', nonNegative: false, nonFinite: 'never' };
const BEFORE_TRAINING: FieldRule = { kind: 'measured', nonNegative: true, nonFinite: 'never' };
const FROM_TRAINING: FieldRule = { kind: 'measured', nonNegative: true, nonFinite: 'if-diverged' };
const FROM_LINEARIZATION: FieldRule = { kind: 'measured', nonNegative: true, nonFinite: 'training-level' };

/** Cell-level symbols of every record, in the order `measureCell` writes them. */
const INITIALIZATION_VALUE_RULES = new Map<string, FieldRule>([
  ['m', COUNT],
  ['N', COUNT],
  ['seed', INDEX],
  ['lambda_min_H0', EIGENVALUE],
  ['lambda_min_S0', EIGENVALUE],
  ['dev_max_H0', BEFORE_TRAINING],
  ['dev_op_H0', BEFORE_TRAINING],
  ['dev_max_S0', BEFORE_TRAINING],
  ['dev_op_S0', BEFORE_TRAINING],
]);

/** Cell-level symbols of a training-level record. */
const TRAINING_VALUE_RULES = new Map<string, FieldRule>([
  ...INITIALIZATION_VALUE_RULES,
  ['traj_dev_fp', FROM_LINEARIZATION],
  ['traj_dev_1bit', FROM_LINEARIZATION],
  ['kernel_drift_fp', FROM_TRAINING],
  ['kernel_drift_1bit', FROM_TRAINING],
  ['loss_fp_final', FROM_TRAINING],
  ['loss_1bit_final', FROM_TRAINING],
  ['residual_sq_fp_0', FROM_TRAINING],
  ['residual_sq_1bit_0', FROM_TRAINING],
  ['diverged', INDEX],
  ['gap_init_mean', BEFORE_TRAINING],
  ['gap_mean', FROM_TRAINING],
  ['gap_max', FROM_TRAINING],
  ['gap_inf_mean', BEFORE_TRAINING],
  ['test_loss_fp', FROM_TRAINING],
  ['test_loss_1bit', FROM_TRAINING],
]);

/** Step-level symbols of one timeline record. The kernel drifts exist only at kernel checkpoint steps. */
const TIMELINE_RULES = new Map<string, FieldRule>([
  ['t', INDEX],
  ['residual_sq_fp', FROM_TRAINING],
  ['residual_sq_1bit', FROM_TRAINING],
  ['R_fp', FROM_TRAINING],
  ['Rinf_1bit', FROM_TRAINING],
  ['drift_op_H', { ...FROM_TRAINING, optional: true }],
  ['drift_op_S', { ...FROM_TRAINING, optional: true }],
]);

/** Loss curves of a training-level record, each sampled at the steps in `t`. */
const CURVE_RULES = new Map<string, FieldRule>([
  ['t', INDEX],
  ['lossFp', FROM_TRAINING],
  ['lossOneBit', FROM_TRAINING],
  ['lossLinearFp', FROM_LINEARIZATION],
  ['lossLinearOneBit', FROM_LINEARIZATION],
]);

const MEASUREMENT_FIELDS = new Set(['width', 'seed', 'level', 'values', 'timeline', 'divergence', 'curves']);
const WORK_ITEM_FIELDS = new Set(['width', 'seed', 'level', 'kappa', 'subsetSize']);
const DIVERGENCE_FIELDS = new Set(['net', 'step']);

/** Validates the `item` of a checkpoint line and returns it. */
function readWorkItem(raw: Record<string, unknown>, check: FieldCheck): WorkItem {
  rejectUnknownFields(raw, 'item', WORK_ITEM_FIELDS, 'a work item', check);
  const width = readInteger(raw.width, 'item.width', 1, check);
  const seed = readInteger(raw.seed, 'item.seed', 0, check);
  if (raw.level !== 'training' && raw.level !== 'initialization') check.expected('item.level', raw.level, '"training" or "initialization"');
  const kappa = raw.kappa;
  if (kappa !== null && !(typeof kappa === 'number' && Number.isFinite(kappa) && kappa > 0)) check.expected('item.kappa', kappa, 'null or a finite number > 0');
  const subsetSize = raw.subsetSize === null ? null : readInteger(raw.subsetSize, 'item.subsetSize', 1, check);
  return { width, seed, level: raw.level, kappa, subsetSize };
}

/**
 * Validates a measurement against the shape `measureCell` gives it at `level`, checking every
 * number's type, sign and finiteness, and returns it with "NaN", "Infinity", "-Infinity" and
 * "-0" decoded. Width, seed and level have been compared with the work item already.
 */
function readMeasurement(raw: Record<string, unknown>, level: WorkItem['level'], check: FieldCheck): CellMeasurement {
  rejectUnknownFields(raw, 'measurement', MEASUREMENT_FIELDS, 'a measurement', check);
  const width = raw.width as number;
  const seed = raw.seed as number;
  const training = level === 'training';
  const divergence = readDivergence(raw.divergence, training, check);
  const diverged = divergence !== null;

  if (!isRecord(raw.values)) check.expected('values', raw.values, 'an object of measured symbols');
  const values = readNumberRecord(raw.values, 'values', training ? TRAINING_VALUE_RULES : INITIALIZATION_VALUE_RULES, `the values at the ${level} level`, { training, diverged }, check);
  if (values.m !== width) check.expected('values.m', values.m, `${width}, the width of the work item`);
  if (values.seed !== seed) check.expected('values.seed', values.seed, `${seed}, the seed of the work item`);
  // N = m (d + 1) with input dimension d >= 1.
  if (values.N % width !== 0 || values.N < 2 * width) check.expected('values.N', values.N, `a multiple of m = ${width} that is at least ${2 * width}`);
  if (training && values.diverged !== (diverged ? 1 : 0)) {
    check.expected('values.diverged', values.diverged, `${diverged ? 1 : 0}, because "divergence" is ${diverged ? 'set' : 'null'}`);
  }

  const timeline = readTimeline(raw.timeline, training, diverged, check);
  const curves = training ? readCurves(raw.curves, diverged, check) : null;
  if (!training && raw.curves !== null) check.expected('curves', raw.curves, 'null at the initialization level');
  return { width, seed, level, values, timeline, divergence, curves };
}

function readDivergence(raw: unknown, training: boolean, check: FieldCheck): CellMeasurement['divergence'] {
  if (raw === null) return null;
  if (!training) check.expected('divergence', raw, 'null at the initialization level');
  if (!isRecord(raw)) check.expected('divergence', raw, 'null or an object with "net" and "step"');
  rejectUnknownFields(raw, 'divergence', DIVERGENCE_FIELDS, 'a divergence', check);
  if (raw.net !== 'full-precision' && raw.net !== '1-bit') check.expected('divergence.net', raw.net, '"full-precision" or "1-bit"');
  return { net: raw.net, step: readInteger(raw.step, 'divergence.step', 0, check) };
}

function readTimeline(raw: unknown, training: boolean, diverged: boolean, check: FieldCheck): Record<string, number>[] {
  if (!Array.isArray(raw)) check.expected('timeline', raw, 'an array');
  if (!training) {
    if (raw.length > 0) check.expected('timeline', raw, 'an empty array at the initialization level');
    return [];
  }
  // Training records step 0 before it can diverge, so the timeline is never empty.
  if (raw.length === 0) check.expected('timeline', raw, 'one record per training step, starting at step 0');
  return raw.map((entry: unknown, step) => {
    const field = `timeline[${step}]`;
    if (!isRecord(entry)) check.expected(field, entry, 'an object of step-level symbols');
    const record = readNumberRecord(entry, field, TIMELINE_RULES, 'a timeline record', { training, diverged }, check);
    if (record.t !== step) check.expected(`${field}.t`, record.t, `${step}, its position in the timeline`);
    return record;
  });
}

function readCurves(raw: unknown, diverged: boolean, check: FieldCheck): NonNullable<CellMeasurement['curves']> {
  if (!isRecord(raw)) check.expected('curves', raw, 'an object of loss curves at the training level');
  rejectUnknownFields(raw, 'curves', new Set(CURVE_RULES.keys()), 'the loss curves', check);
  const steps = raw.t;
  if (!Array.isArray(steps)) check.expected('curves.t', steps, 'an array of steps');
  const curves: Record<string, number[]> = {};
  for (const [key, rule] of CURVE_RULES) {
    const samples = raw[key];
    const field = `curves.${key}`;
    if (!Array.isArray(samples)) check.expected(field, samples, 'an array of numbers');
    if (samples.length !== steps.length) check.expected(field, samples, `${steps.length} numbers, one per step in curves.t`);
    curves[key] = samples.map((sample: unknown, index) => readNumber(sample, `${field}[${index}]`, rule, { training: true, diverged }, check));
  }
  curves.t.forEach((step, index) => {
    if (index > 0 && step <= curves.t[index - 1]) check.expected(`curves.t[${index}]`, step, `a step after ${curves.t[index - 1]}`);
  });
  return { t: curves.t, lossFp: curves.lossFp, lossOneBit: curves.lossOneBit, lossLinearFp: curves.lossLinearFp, lossLinearOneBit: curves.lossLinearOneBit };
}

/** Facts about a record that decide whether its numbers may be non-finite. */
interface RecordState {
  readonly training: boolean;
  readonly diverged: boolean;
}

/** Reads an object whose fields all follow `rules`, keeping the order of the fields in the file. */
function readNumberRecord(
  raw: Record<string, unknown>,
  field: string,
  rules: ReadonlyMap<string, FieldRule>,
  place: string,
  state: RecordState,
  check: FieldCheck,
): Record<string, number> {
  rejectUnknownFields(raw, field, new Set(rules.keys()), place, check);
  const record: Record<string, number> = {};
  for (const [key, rule] of rules) {
    if (raw[key] === undefined && rule.kind === 'measured' && rule.optional) continue;
    record[key] = readNumber(raw[key], `${field}.${key}`, rule, state, check);
  }
  return Object.fromEntries(Object.keys(raw).map((key) => [key, record[key]]));
}

/**
 * Reads one number as `encodeEntry` writes it: a JSON number, or the string "NaN", "Infinity",
 * "-Infinity" or "-0". Rejects any other type, a literal beyond the float64 range (which the
 * encoder never writes), and a value that breaks `rule`.
 */
function readNumber(raw: unknown, field: string, rule: FieldRule, state: RecordState, check: FieldCheck): number {
  if (rule.kind === 'integer') return readInteger(raw, field, rule.minimum, check);

  const nonFiniteAllowed = rule.nonFinite === 'training-level' ? state.training : rule.nonFinite === 'if-diverged' && state.diverged;
  let expected: string;
  if (nonFiniteAllowed) expected = rule.nonNegative ? 'a number >= 0, "NaN" or "Infinity"' : 'a number, "NaN", "Infinity" or "-Infinity"';
  else expected = rule.nonNegative ? 'a finite number >= 0' : 'a finite number';

  let value: number;
  if (typeof raw === 'number' && Number.isFinite(raw)) value = raw;
  else if (typeof raw === 'string' && SPECIAL_NUMBERS.has(raw)) value = SPECIAL_NUMBERS.get(raw)!;
  else check.expected(field, raw, expected);
  if (!nonFiniteAllowed && !Number.isFinite(value)) {
    check.expected(field, raw, rule.nonFinite === 'if-diverged' ? `${expected}, because the training did not diverge` : expected);
  }
  // NaN < 0 is false, so only -Infinity and negative finite values fail here.
  if (rule.nonNegative && value < 0) check.expected(field, raw, expected);
  return value;
}

function readInteger(raw: unknown, field: string, minimum: number, check: FieldCheck): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < minimum) check.expected(field, raw, `an integer >= ${minimum}`);
  return raw;
}

function rejectUnknownFields(raw: Record<string, unknown>, field: string, known: ReadonlySet<string>, place: string, check: FieldCheck): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) check.unknown(`${field}.${key}`, raw[key], place);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

function isShard(value: unknown): value is ShardSpec {
  const shard = value as Partial<ShardSpec> | null;
  return shard !== null && typeof shard === 'object' && Number.isSafeInteger(shard.index) && Number.isSafeInteger(shard.count) && shard.index! >= 1 && shard.index! <= shard.count!;
}
