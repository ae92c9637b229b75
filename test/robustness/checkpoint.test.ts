/**
 * Checkpoint files and shard slices: lossless number encoding, torn and damaged lines,
 * fingerprints, matching against a plan, and the shard partition.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE, kernelInitConcentration } from '../../proofs/index.js';
import type { CellMeasurement } from '../../src/check/cell.js';
import {
  checkpointFingerprint,
  CheckpointSession,
  CheckpointWriter,
  createCheckpointHeader,
  currentIdentity,
  datasetDigest,
  decodeEntry,
  describeIdentityDifferences,
  encodeEntry,
  matchEntries,
  readCheckpoint,
  type RunIdentity,
} from '../../src/check/checkpoint.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions } from '../../src/check/options.js';
import { parseShardSpec, shardIndices } from '../../src/check/shard.js';
import type { WorkItem } from '../../src/check/work.js';
import { InvalidInputError } from '../../src/errors.js';
import { makeTemporaryDirectory } from '../cli/spawn.js';

const OPTIONS = validateCheckOptions({ ...DEFAULT_CHECK_OPTIONS, dataset: 'synthetic:linear:d=3:n=12', widths: [8, 16], seeds: 2, initSeeds: 2, steps: 3 });
const IDENTITY: RunIdentity = { options: OPTIONS, claims: [kernelInitConcentration], claimArguments: ['K1'], shard: null };

function itemAt(width: number, seed: number): WorkItem {
  return { width, seed, level: 'initialization', kappa: null, subsetSize: null };
}

function measurementOf(item: WorkItem, value: number): CellMeasurement {
  return { width: item.width, seed: item.seed, level: item.level, values: { m: item.width, dev_max_H0: value }, timeline: [], divergence: null, curves: null };
}

/** Catches the error of `action`, failing when there is none. */
function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('encodeEntry and decodeEntry', () => {
  it('round-trip every float64, NaN, infinities and -0 included', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 1, maxLength: 20 }), (numbers) => {
        const item = itemAt(8, 0);
        const measurement = { ...measurementOf(item, 0), values: Object.fromEntries(numbers.map((number, index) => [`v${index}`, number])) };
        const decoded = decodeEntry(encodeEntry({ index: 0, item, measurement })) as { measurement: CellMeasurement };
        numbers.forEach((number, index) => expect(Object.is(decoded.measurement.values[`v${index}`], number)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the special values as strings', () => {
    const item = itemAt(8, 0);
    const text = encodeEntry({ index: 0, item, measurement: { ...measurementOf(item, 0), values: { a: Number.NaN, b: -0, c: Number.NEGATIVE_INFINITY } } });
    expect(text).toContain('"a":"NaN","b":"-0","c":"-Infinity"');
  });
});

describe('checkpoint files', () => {
  let directory: string;
  let file: string;
  const items = [itemAt(8, 0), itemAt(8, 1), itemAt(16, 0), itemAt(16, 1)];

  beforeEach(() => {
    directory = makeTemporaryDirectory('checkpoint-unit');
    file = path.join(directory, 'run.checkpoint');
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  function writeItems(count: number, digest = 'digest'): void {
    const writer = CheckpointWriter.create(file, createCheckpointHeader(IDENTITY, digest, items.length));
    for (let index = 0; index < count; index++) writer.appendItem(index, items[index], measurementOf(items[index], index / 10));
    writer.close();
  }

  it('reads back the header and every entry', () => {
    writeItems(3);
    const loaded = readCheckpoint(file);
    expect(loaded.header.fingerprint).toBe(checkpointFingerprint(OPTIONS, [kernelInitConcentration.id]));
    expect(loaded.header.plannedItems).toBe(4);
    expect(loaded.entries.map((entry) => entry.index)).toEqual([0, 1, 2]);
    expect(loaded.entries[2].measurement.values.dev_max_H0).toBe(0.2);
    expect(loaded.tornTail).toBe(false);
  });

  it('drops a torn last line and appends after it', () => {
    writeItems(2);
    const complete = fs.statSync(file).size;
    fs.appendFileSync(file, '{"index":2,"item":{"wid');
    const loaded = readCheckpoint(file);
    expect(loaded.tornTail).toBe(true);
    expect(loaded.validLength).toBe(complete);
    expect(loaded.entries).toHaveLength(2);

    const writer = CheckpointWriter.append(loaded);
    writer.appendItem(2, items[2], measurementOf(items[2], 0.2));
    writer.close();
    const reread = readCheckpoint(file);
    expect(reread.tornTail).toBe(false);
    expect(reread.entries.map((entry) => entry.index)).toEqual([0, 1, 2]);
  });

  it('rejects a damaged line in the middle, naming it', () => {
    writeItems(2);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].slice(0, 30);
    fs.writeFileSync(file, lines.join('\n'));
    const error = errorOf(() => readCheckpoint(file));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/run\.checkpoint line 2: .*is not JSON although a complete line; .*delete it/);
  });

  it('rejects a measurement that does not match its item', () => {
    writeItems(0);
    fs.appendFileSync(file, `${encodeEntry({ index: 0, item: items[0], measurement: measurementOf(items[1], 0) })}\n`);
    expect(errorOf(() => readCheckpoint(file)).message).toContain('line 2: has a "measurement" that does not match its item');
  });

  it('rejects a file that is not a checkpoint', () => {
    fs.writeFileSync(file, 'x1,x2,y\n1,2,3\n');
    expect(errorOf(() => readCheckpoint(file)).message).toContain('line 1: is not JSON, so the file is not a bitbound checkpoint');
  });

  it('rejects another checkpoint format version', () => {
    writeItems(1);
    const text = fs.readFileSync(file, 'utf8').replace('"version":1', '"version":2');
    fs.writeFileSync(file, text);
    expect(errorOf(() => readCheckpoint(file)).message).toContain('is checkpoint format version 2, but this bitbound reads version 1');
  });

  describe('CheckpointSession', () => {
    const notes: string[] = [];
    const open = (resume: boolean, identity: RunIdentity = IDENTITY) => CheckpointSession.open({ path: file, resume, identity, note: (text) => notes.push(text) });

    beforeEach(() => {
      notes.length = 0;
    });

    it('rejects an existing file without resume', () => {
      writeItems(1);
      expect(errorOf(() => open(false)).message).toContain('a checkpoint of an earlier run exists here; add --resume');
    });

    it('names each option that differs on resume', () => {
      writeItems(1);
      const other: RunIdentity = { ...IDENTITY, options: { ...OPTIONS, steps: 4, memoryLimitBytes: 2 * 1024 ** 3 } };
      const message = errorOf(() => open(true, other)).message;
      expect(message).toContain('was made with --steps 3 (this run: 4), --memory-limit 4 (this run: 2)');
    });

    it('names a different shard on resume', () => {
      writeItems(1);
      expect(errorOf(() => open(true, { ...IDENTITY, shard: { index: 1, count: 2 } })).message).toContain('no --shard (this run: --shard 1/2)');
    });

    it('starts over when the header was cut off', () => {
      fs.writeFileSync(file, '{"format":"bitbound-checkpoint","vers');
      const session = open(true);
      expect(notes[0]).toContain('has no complete header');
      expect(fs.existsSync(file)).toBe(false);
      session.close();
    });

    const dataset = { name: 'tiny', size: 1, dimension: 1, inputs: new Float64Array([1]), targets: new Float64Array([0]), source: '', cleaning: [] };

    it('resumes only the entries that match the plan', () => {
      writeItems(3, datasetDigest(dataset));
      const session = open(true);
      const done = session.onPlan([items[0], itemAt(32, 1), items[2], items[3]], dataset);
      session.close();
      expect([...done.keys()]).toEqual([0, 2]);
      expect(notes).toContain(`checkpoint ${file}: 1 entry does not match a planned work item and is ignored`);
    });

    it('rejects a resume whose data changed', () => {
      writeItems(3, 'digest of other data');
      const session = open(true);
      expect(errorOf(() => session.onPlan(items, dataset)).message).toContain('changed since checkpoint');
      session.close();
    });
  });
});

describe('matchEntries', () => {
  it('keeps entries whose index and item match, once', () => {
    const items = [itemAt(8, 0), itemAt(8, 1)];
    const entry = (index: number, item: WorkItem, line: number) => ({ index, item, measurement: measurementOf(item, line), line });
    const { done, ignored } = matchEntries([entry(0, items[0], 2), entry(1, itemAt(8, 5), 3), entry(0, items[0], 4), entry(7, items[1], 5)], items);
    expect([...done.keys()]).toEqual([0]);
    expect(done.get(0)?.values.dev_max_H0).toBe(2);
    expect(ignored).toBe(3);
  });
});

describe('checkpointFingerprint', () => {
  it('ignores key order and changes with any option', () => {
    const reordered = Object.fromEntries(Object.entries(OPTIONS).reverse()) as typeof OPTIONS;
    const ids = CATALOGUE.map((claim) => claim.id);
    expect(checkpointFingerprint(reordered, ids)).toBe(checkpointFingerprint(OPTIONS, ids));
    expect(checkpointFingerprint({ ...OPTIONS, kappa: 0.5 }, ids)).not.toBe(checkpointFingerprint(OPTIONS, ids));
    expect(checkpointFingerprint(OPTIONS, ids.slice(1))).not.toBe(checkpointFingerprint(OPTIONS, ids));
  });

  it('lists no difference for the same run', () => {
    const header = createCheckpointHeader(IDENTITY, 'digest', 4);
    expect(describeIdentityDifferences(header, currentIdentity(OPTIONS, [kernelInitConcentration.id]))).toEqual([]);
  });
});

describe('parseShardSpec', () => {
  it('reads i/k', () => {
    expect(parseShardSpec('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShardSpec(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });

  it('rejects out-of-range and malformed shards', () => {
    for (const text of ['0/3', '4/3', '1/0', '3', '-1/2', '1.5/2', 'a/b', '']) {
      expect(errorOf(() => parseShardSpec(text))).toBeInstanceOf(InvalidInputError);
    }
  });
});

describe('shardIndices', () => {
  it('partitions the plan into k disjoint slices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 40 }), (planned, count) => {
        const slices = Array.from({ length: count }, (_, index) => shardIndices(planned, { index: index + 1, count }));
        const all = slices.flat().sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: planned }, (_, index) => index));
        slices.forEach((slice, index) => slice.forEach((item) => expect(item % count).toBe(index)));
      }),
      { numRuns: 200 },
    );
  });
});
