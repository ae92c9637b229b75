/**
 * Checkpoint files and shard slices: lossless number encoding, torn and damaged lines,
 * validation of measured values, fingerprints, matching against a plan, and the shard partition.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import { makeTemporaryDirectory, runCli, STACK_TRACE_PATTERN } from '../cli/spawn.js';

const OPTIONS = validateCheckOptions({ ...DEFAULT_CHECK_OPTIONS, dataset: 'synthetic:linear:d=3:n=12', widths: [8, 16], seeds: 2, initSeeds: 2, steps: 3 });
const IDENTITY: RunIdentity = { options: OPTIONS, claims: [kernelInitConcentration], claimArguments: ['K1'], shard: null };

function itemAt(width: number, seed: number): WorkItem {
  return { width, seed, level: 'initialization', kappa: null, subsetSize: null };
}

/** Returns an initialization-level measurement of `item` (d = 3) whose dev_max_H0 is `value`. */
function measurementOf(item: WorkItem, value: number): CellMeasurement {
  return { width: item.width, seed: item.seed, level: item.level, values: initializationValues(item, value), timeline: [], divergence: null, curves: null };
}

function initializationValues(item: WorkItem, devMax: number): Record<string, number> {
  return {
    m: item.width,
    N: item.width * 4,
    seed: item.seed,
    lambda_min_H0: 0.0087,
    lambda_min_S0: -1.1e-16,
    dev_max_H0: devMax,
    dev_op_H0: 0.44,
    dev_max_S0: 0.19,
    dev_op_S0: 0.76,
  };
}

/** Returns a training-level measurement of `item` with two recorded steps, diverged at step 1 when `divergence` is set. */
function trainingMeasurementOf(item: WorkItem, divergence: CellMeasurement['divergence'] = null): CellMeasurement {
  return {
    width: item.width,
    seed: item.seed,
    level: 'training',
    values: {
      ...initializationValues(item, 0.1875),
      traj_dev_fp: 0.1,
      traj_dev_1bit: 1.35,
      kernel_drift_fp: 0.17,
      kernel_drift_1bit: 0.27,
      loss_fp_final: 0.05,
      loss_1bit_final: 1.69,
      residual_sq_fp_0: 1.3,
      residual_sq_1bit_0: 4.2,
      diverged: divergence === null ? 0 : 1,
      gap_init_mean: 0.078,
      gap_mean: 0.19,
      gap_max: 0.36,
      gap_inf_mean: 0.22,
      test_loss_fp: 0.5,
      test_loss_1bit: 0.31,
    },
    timeline: [
      { t: 0, residual_sq_fp: 1.3, residual_sq_1bit: 4.2, R_fp: 0, Rinf_1bit: 0, drift_op_H: 0, drift_op_S: 0 },
      { t: 1, residual_sq_fp: 0.39, residual_sq_1bit: 1.9, R_fp: 0.24, Rinf_1bit: 0.35 },
    ],
    divergence,
    curves: { t: [0, 1], lossFp: [0.65, 0.2], lossOneBit: [2.1, 0.95], lossLinearFp: [0.65, 0.18], lossLinearOneBit: [2.1, 0.76] },
  };
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

  describe('measured values', () => {
    const trainingItem: WorkItem = { ...itemAt(16, 0), level: 'training' };
    const divergence = { net: 'full-precision', step: 1 } as const;

    /** Writes a new file of a header and one entry line, then reads it back. */
    function readLine(line: string): ReturnType<typeof readCheckpoint> {
      fs.rmSync(file, { force: true });
      CheckpointWriter.create(file, createCheckpointHeader(IDENTITY, 'digest', items.length)).close();
      fs.appendFileSync(file, `${line}\n`);
      return readCheckpoint(file);
    }

    /** Encodes an entry, then lets `edit` change the parsed line as a damaged file would. */
    function editedLine(item: WorkItem, measurement: CellMeasurement, edit: (entry: any) => void): string {
      const entry = JSON.parse(encodeEntry({ index: 0, item, measurement }));
      edit(entry.measurement);
      return JSON.stringify(entry);
    }

    const rejectionOf = (line: string): string => errorOf(() => readLine(line)).message;

    it('reads back a training record unchanged', () => {
      const measurement = trainingMeasurementOf(trainingItem);
      const loaded = readLine(encodeEntry({ index: 0, item: trainingItem, measurement }));
      expect(loaded.entries[0].measurement).toEqual(measurement);
    });

    it('rejects a damaged value, naming file, line and field', () => {
      const cases: [string, (entry: any) => void, string][] = [
        ['"NaN" string', (entry) => (entry.values.dev_max_H0 = 'NaN'), 'values.dev_max_H0 is "NaN", expected a finite number >= 0'],
        ['negative distance', (entry) => (entry.values.dev_op_S0 = -0.5), 'values.dev_op_S0 is -0.5, expected a finite number >= 0'],
        ['missing symbol', (entry) => delete entry.values.dev_max_H0, 'values.dev_max_H0 is missing, expected a finite number >= 0'],
        ['string number', (entry) => (entry.values.dev_max_H0 = '0.1875'), 'values.dev_max_H0 is "0.1875", expected a finite number >= 0'],
        ['null value', (entry) => (entry.values.lambda_min_H0 = null), 'values.lambda_min_H0 is null, expected a finite number'],
        ['"Infinity" eigenvalue', (entry) => (entry.values.lambda_min_S0 = 'Infinity'), 'values.lambda_min_S0 is "Infinity", expected a finite number'],
        ['fractional width', (entry) => (entry.values.m = 16.5), 'values.m is 16.5, expected an integer >= 1'],
        ['other width', (entry) => (entry.values.m = 32), 'values.m is 32, expected 16, the width of the work item'],
        ['N not a multiple of m', (entry) => (entry.values.N = 70), 'values.N is 70, expected a multiple of m = 16 that is at least 32'],
        ['unknown symbol', (entry) => (entry.values.dev_max_X = 1), 'values.dev_max_X is not a field of the values at the training level'],
        ['"NaN" loss, not diverged', (entry) => (entry.values.loss_fp_final = 'NaN'), 'values.loss_fp_final is "NaN", expected a finite number >= 0, because the training did not diverge'],
        ['negative movement', (entry) => (entry.timeline[1].R_fp = -0.1), 'timeline[1].R_fp is -0.1, expected a finite number >= 0'],
        ['missing step symbol', (entry) => delete entry.timeline[0].Rinf_1bit, 'timeline[0].Rinf_1bit is missing, expected a finite number >= 0'],
        ['step out of order', (entry) => (entry.timeline[1].t = 2), 'timeline[1].t is 2, expected 1, its position in the timeline'],
        ['empty timeline', (entry) => (entry.timeline = []), 'timeline is [], expected one record per training step, starting at step 0'],
        ['"NaN" curve point', (entry) => (entry.curves.lossOneBit[1] = 'NaN'), 'curves.lossOneBit[1] is "NaN", expected a finite number >= 0, because the training did not diverge'],
        ['short curve', (entry) => entry.curves.lossFp.pop(), 'curves.lossFp is [0.65], expected 2 numbers, one per step in curves.t'],
        ['unsorted curve steps', (entry) => (entry.curves.t = [1, 0]), 'curves.t[1] is 0, expected a step after 1'],
        ['diverged flag without divergence', (entry) => (entry.values.diverged = 1), 'values.diverged is 1, expected 0, because "divergence" is null'],
        ['unknown divergence net', (entry) => (entry.divergence = { net: 'both', step: 1 }), 'divergence.net is "both", expected "full-precision" or "1-bit"'],
      ];
      for (const [name, edit, expected] of cases) {
        const message = rejectionOf(editedLine(trainingItem, trainingMeasurementOf(trainingItem), edit));
        expect(message, name).toBe(`${file} line 2: ${expected}; the file is damaged, so delete it and rerun the check`);
      }
    });

    it('rejects a literal beyond the float64 range', () => {
      const line = encodeEntry({ index: 0, item: items[0], measurement: measurementOf(items[0], 0.1875) }).replace('"dev_max_H0":0.1875', '"dev_max_H0":1e400');
      expect(rejectionOf(line)).toContain('line 2: values.dev_max_H0 is a number beyond the float64 range, expected a finite number >= 0;');
    });

    it('rejects training fields at the initialization level', () => {
      const withTrainingValue = editedLine(items[0], measurementOf(items[0], 0.1), (entry) => (entry.values.loss_fp_final = 0.05));
      expect(rejectionOf(withTrainingValue)).toContain('values.loss_fp_final is not a field of the values at the initialization level');
      const withTimeline = editedLine(items[0], measurementOf(items[0], 0.1), (entry) => (entry.timeline = [{ t: 0 }]));
      expect(rejectionOf(withTimeline)).toContain('timeline is [{"t":0}], expected an empty array at the initialization level');
    });

    it('rejects a damaged work item', () => {
      const line = JSON.stringify({ ...JSON.parse(encodeEntry({ index: 0, item: items[0], measurement: measurementOf(items[0], 0.1) })), item: { ...items[0], kappa: 'NaN' } });
      expect(rejectionOf(line)).toContain('line 2: item.kappa is "NaN", expected null or a finite number > 0');
    });

    it('names the shard to measure again', () => {
      const shardIdentity: RunIdentity = { ...IDENTITY, shard: { index: 2, count: 3 } };
      CheckpointWriter.create(file, createCheckpointHeader(shardIdentity, 'digest', items.length)).close();
      fs.appendFileSync(file, `${editedLine(items[0], measurementOf(items[0], 0.1), (entry) => (entry.values.dev_op_H0 = 'NaN'))}\n`);
      expect(errorOf(() => readCheckpoint(file)).message).toBe(
        `${file} line 2: values.dev_op_H0 is "NaN", expected a finite number >= 0; the file is damaged, so delete it and measure shard 2/3 again`,
      );
    });

    it('accepts non-finite training values of a diverged run', () => {
      const line = editedLine(trainingItem, trainingMeasurementOf(trainingItem, divergence), (entry) => {
        entry.values.loss_fp_final = 'Infinity';
        entry.values.traj_dev_1bit = 'NaN';
        entry.timeline[1].R_fp = 'Infinity';
        entry.curves.lossFp[1] = 'Infinity';
      });
      const { measurement } = readLine(line).entries[0];
      expect(measurement.values.loss_fp_final).toBe(Number.POSITIVE_INFINITY);
      expect(measurement.values.traj_dev_1bit).toBeNaN();
      expect(measurement.timeline[1].R_fp).toBe(Number.POSITIVE_INFINITY);
      expect(measurement.curves?.lossFp[1]).toBe(Number.POSITIVE_INFINITY);
    });

    it('accepts an overflowed linearization without divergence', () => {
      const line = editedLine(trainingItem, trainingMeasurementOf(trainingItem), (entry) => {
        entry.values.traj_dev_1bit = 'Infinity';
        entry.curves.lossLinearOneBit[1] = 'Infinity';
      });
      const { measurement } = readLine(line).entries[0];
      expect(measurement.values.traj_dev_1bit).toBe(Number.POSITIVE_INFINITY);
      expect(measurement.curves?.lossLinearOneBit[1]).toBe(Number.POSITIVE_INFINITY);
    });

    it('rejects non-finite values that divergence cannot explain', () => {
      const diverged = trainingMeasurementOf(trainingItem, divergence);
      const beforeTraining = editedLine(trainingItem, diverged, (entry) => (entry.values.dev_max_H0 = 'Infinity'));
      expect(rejectionOf(beforeTraining)).toContain('values.dev_max_H0 is "Infinity", expected a finite number >= 0;');
      const negativeLoss = editedLine(trainingItem, diverged, (entry) => (entry.values.loss_fp_final = '-Infinity'));
      expect(rejectionOf(negativeLoss)).toContain('values.loss_fp_final is "-Infinity", expected a number >= 0, "NaN" or "Infinity";');
      const flagMissing = editedLine(trainingItem, diverged, (entry) => (entry.values.diverged = 0));
      expect(rejectionOf(flagMissing)).toContain('values.diverged is 0, expected 1, because "divergence" is set');
    });

    it('accepts -0 and a slightly negative eigenvalue', () => {
      const line = editedLine(items[0], measurementOf(items[0], 0.1), (entry) => {
        entry.values.dev_max_H0 = '-0';
        entry.values.lambda_min_H0 = -2e-16;
      });
      const { measurement } = readLine(line).entries[0];
      expect(Object.is(measurement.values.dev_max_H0, -0)).toBe(true);
      expect(measurement.values.lambda_min_H0).toBe(-2e-16);
    });

    it('drops a damaged value on a torn last line', () => {
      writeItems(2);
      const torn = encodeEntry({ index: 2, item: items[2], measurement: measurementOf(items[2], 0.2) }).replace('"dev_max_H0":0.2', '"dev_max_H0":"NaN"');
      fs.appendFileSync(file, torn.slice(0, torn.indexOf('"NaN"') + 5));
      const loaded = readCheckpoint(file);
      expect(loaded.tornTail).toBe(true);
      expect(loaded.entries.map((entry) => entry.index)).toEqual([0, 1]);
    });
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

describe('damaged values on the command line', () => {
  /** A check of 14 small work items that takes well under a second. */
  const TINY = ['check', '--dataset', 'synthetic:linear:d=3:n=12', '--widths', '8,16', '--seeds', '2', '--init-seeds', '2', '--steps', '3', '--replicates', '100', '--workers', '1'];

  /** Each damage: the field it changes, its new JSON text (or null to delete the field), and the message part that names it. */
  const DAMAGES: { readonly name: string; readonly field: string; readonly replacement: string | null; readonly message: string }[] = [
    { name: 'nan-string', field: 'dev_max_H0', replacement: '"NaN"', message: 'values.dev_max_H0 is "NaN", expected a finite number >= 0' },
    { name: 'overflow', field: 'dev_op_H0', replacement: '1e400', message: 'values.dev_op_H0 is a number beyond the float64 range, expected a finite number >= 0' },
    { name: 'negative', field: 'gap_max', replacement: '-0.25', message: 'values.gap_max is -0.25, expected a finite number >= 0' },
    { name: 'missing', field: 'dev_max_S0', replacement: null, message: 'values.dev_max_S0 is missing, expected a finite number >= 0' },
    { name: 'wrong-type', field: 'loss_fp_final', replacement: 'true', message: 'values.loss_fp_final is true, expected a finite number >= 0' },
  ];

  let directory: string;
  let report: string;
  let reportStatus: number | null;
  const file = (name: string): string => path.join(directory, name);

  /** Exit statuses of a finished check: 0, or 1 when a claim was violated or refuted. */
  const FINISHED = [0, 1];

  beforeAll(async () => {
    directory = makeTemporaryDirectory('checkpoint-values');
    const runs = await Promise.all([
      runCli([...TINY, '--shard', '1/2', '-o', 's1.jsonl'], { cwd: directory }),
      runCli([...TINY, '--shard', '2/2', '-o', 's2.jsonl'], { cwd: directory }),
      runCli([...TINY, '-o', 'tiny.json', '--keep-checkpoint'], { cwd: directory }),
    ]);
    for (const run of runs) expect(FINISHED).toContain(run.code);
    report = fs.readFileSync(file('tiny.json'), 'utf8');
    reportStatus = runs[2].code;
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  /**
   * Copies `source` to `target` with the first entry line that has a finite `field` damaged
   * as `damage` describes. Returns the 1-based number of the damaged line.
   */
  function writeDamaged(source: string, target: string, damage: (typeof DAMAGES)[number]): number {
    const lines = fs.readFileSync(file(source), 'utf8').split('\n');
    const pattern = new RegExp(`"${damage.field}":-?[0-9][^,}]*(,?)`);
    const index = lines.findIndex((line, position) => position > 0 && pattern.test(line));
    expect(index).toBeGreaterThan(0);
    lines[index] = lines[index].replace(pattern, (_, comma: string) => (damage.replacement === null ? '' : `"${damage.field}":${damage.replacement}${comma}`));
    fs.writeFileSync(file(target), lines.join('\n'));
    return index + 1;
  }

  for (const damage of DAMAGES) {
    it(`merge rejects ${damage.name} value`, async () => {
      const shard = `${damage.name}.jsonl`;
      const line = writeDamaged('s1.jsonl', shard, damage);
      const run = await runCli(['merge', shard, 's2.jsonl', '-o', `${damage.name}-merged.json`], { cwd: directory });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`bitbound: error: ${shard} line ${line}: ${damage.message}; the file is damaged, so delete it and measure shard 1/2 again\n`);
      expect(fs.existsSync(file(`${damage.name}-merged.json`))).toBe(false);
    });

    it(`resume rejects ${damage.name} value`, async () => {
      const checkpoint = `${damage.name}.json.checkpoint`;
      const line = writeDamaged('tiny.json.checkpoint', checkpoint, damage);
      const run = await runCli([...TINY, '-o', `${damage.name}.json`, '--resume'], { cwd: directory });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`bitbound: error: ${checkpoint} line ${line}: ${damage.message}; the file is damaged, so delete it and rerun the check\n`);
      expect(fs.existsSync(file(`${damage.name}.json`))).toBe(false);
    });
  }

  it('resume drops a torn last line', async () => {
    const lines = fs.readFileSync(file('tiny.json.checkpoint'), 'utf8').split('\n').filter((line) => line !== '');
    const last = lines.pop()!;
    fs.writeFileSync(file('torn.json.checkpoint'), `${lines.join('\n')}\n${last.slice(0, Math.floor(last.length / 2))}`);
    const run = await runCli([...TINY, '-o', 'torn.json', '--resume'], { cwd: directory });
    expect(run.code).toBe(reportStatus);
    expect(run.stderr).toContain('the last line was cut off (the run was killed while writing it) and is ignored');
    expect(run.stderr).toContain('13 work items already measured');
    expect(run.stderr).not.toMatch(STACK_TRACE_PATTERN);
    expect(fs.readFileSync(file('torn.json'), 'utf8')).toBe(report);
  });

  it('resume keeps non-finite values of diverged runs', async () => {
    // A step size of 1e200 makes training overflow at the first step.
    const diverging = [...TINY, '--eta', '1e200', '-o', 'diverged.json'];
    const first = await runCli([...diverging, '--keep-checkpoint'], { cwd: directory });
    expect(FINISHED).toContain(first.code);
    const checkpoint = fs.readFileSync(file('diverged.json.checkpoint'), 'utf8');
    expect(checkpoint).toContain('"Infinity"');
    expect(checkpoint).toContain('"NaN"');
    const uninterrupted = fs.readFileSync(file('diverged.json'), 'utf8');

    fs.rmSync(file('diverged.json'));
    const resumed = await runCli([...diverging, '--resume'], { cwd: directory });
    expect(resumed.code).toBe(first.code);
    expect(resumed.stderr).toContain('14 work items already measured');
    expect(fs.readFileSync(file('diverged.json'), 'utf8')).toBe(uninterrupted);
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
