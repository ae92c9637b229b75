/**
 * End-to-end tests of checkpoints, interruption, resume, sharding and merge: a real sweep is
 * interrupted (SIGINT, SIGTERM, SIGKILL with a torn last line), resumed, sharded and merged,
 * and every final report must equal the uninterrupted single-worker report byte for byte.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, countCompleteLines, finished, makeTemporaryDirectory, runCli, startCli, STACK_TRACE_PATTERN, waitFor } from './spawn.js';

/** A sweep of 32 work items that takes about 10 s with one worker on a 2-core machine. */
const GRID = ['check', '--dataset', 'iris', '--widths', '1024,2048,4096', '--seeds', '4', '--init-seeds', '4', '--steps', '100', '--replicates', '200'];
const GRID_ITEMS = 32;

/** A sweep of 14 small work items, for the merge and resume checks that need no long run. */
const TINY = ['check', '--dataset', 'synthetic:linear:d=3:n=12', '--widths', '8,16', '--seeds', '2', '--init-seeds', '2', '--steps', '3', '--replicates', '100', '--workers', '1'];
/** Exit status of a complete TINY check: at widths 8 and 16, A1's measured rates are inconsistent with it. */
const TINY_STATUS = 1;

/** Time allowed for a run to checkpoint its first items. */
const FIRST_ITEMS_TIMEOUT_MS = 90_000;

/** Header line plus this many items must be in the checkpoint before a signal is sent. */
const ITEMS_BEFORE_SIGNAL = 3;

describe('bitbound check checkpoints', () => {
  let directory: string;
  let baseline: string;

  const file = (name: string): string => path.join(directory, name);
  const read = (name: string): string => fs.readFileSync(file(name), 'utf8');

  beforeAll(async () => {
    directory = makeTemporaryDirectory('checkpoint');
    const run = await runCli([...GRID, '--workers', '1', '-o', 'baseline.json'], { cwd: directory });
    expect(run.code).toBe(0);
    baseline = read('baseline.json');
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('writes the same report with 2 workers', async () => {
    const run = await runCli([...GRID, '--workers', '2', '-o', 'two-workers.json'], { cwd: directory });
    expect(run.code).toBe(0);
    expect(read('two-workers.json')).toBe(baseline);
    expect(fs.existsSync(file('two-workers.json.checkpoint'))).toBe(false);
  });

  it('writes the same report with 3 threads on 2 cores', async () => {
    const run = await runCli([...GRID, '--workers=3', '-o', 'three-workers.json'], { cwd: directory });
    expect(run.code).toBe(0);
    expect(read('three-workers.json')).toBe(baseline);
  });

  it('resumes after SIGINT to the uninterrupted report', async () => {
    const args = [...GRID, '--workers', '1', '-o', 'interrupted.json'];
    const started = startCli(args, { cwd: directory });
    await waitFor(() => countCompleteLines(file('interrupted.json.checkpoint')) >= 1 + ITEMS_BEFORE_SIGNAL, FIRST_ITEMS_TIMEOUT_MS);
    started.process.kill('SIGINT');
    const stopped = await finished(started.process, started.output);

    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('interrupted by SIGINT after measuring');
    expect(stopped.stderr).toContain(`resume with: node ${CLI_PATH} ${args.join(' ')} --resume`);
    expect(stopped.stderr).not.toMatch(STACK_TRACE_PATTERN);
    const partial = JSON.parse(read('interrupted.json'));
    expect(partial.complete).toBe(false);
    expect(partial.plannedItems).toBe(GRID_ITEMS);
    expect(partial.measuredItems).toBeGreaterThanOrEqual(ITEMS_BEFORE_SIGNAL);
    expect(partial.measuredItems).toBeLessThan(GRID_ITEMS);
    // The sweep items come last, so G1 (a kappa sweep) cannot be complete this early.
    expect(partial.verdicts.G1).toBe('not-measured');
    expect(fs.existsSync(file('interrupted.json.checkpoint'))).toBe(true);

    const resumed = await runCli([...args, '--resume'], { cwd: directory });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming from interrupted.json.checkpoint: ${partial.measuredItems} work items already measured`);
    expect(read('interrupted.json')).toBe(baseline);
    expect(fs.existsSync(file('interrupted.json.checkpoint'))).toBe(false);
  });

  it('resumes after SIGKILL and a torn last line', async () => {
    const args = [...GRID, '--workers', '2', '-o', 'killed.json'];
    const started = startCli(args, { cwd: directory });
    await waitFor(() => countCompleteLines(file('killed.json.checkpoint')) >= 1 + ITEMS_BEFORE_SIGNAL, FIRST_ITEMS_TIMEOUT_MS);
    started.process.kill('SIGKILL');
    const stopped = await finished(started.process, started.output);
    expect(stopped.signal).toBe('SIGKILL');

    // A kill in the middle of a write leaves part of a line; append one to test that path.
    const lines = read('killed.json.checkpoint').split('\n');
    fs.appendFileSync(file('killed.json.checkpoint'), lines[1].slice(0, Math.floor(lines[1].length / 2)));

    const resumed = await runCli([...args, '--resume'], { cwd: directory });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('the last line was cut off');
    expect(read('killed.json')).toBe(baseline);
  });

  it('stops on SIGTERM with status 2 and a partial report', async () => {
    const started = startCli([...GRID, '--workers', '1', '-o', 'terminated.json'], { cwd: directory });
    await waitFor(() => countCompleteLines(file('terminated.json.checkpoint')) >= 2, FIRST_ITEMS_TIMEOUT_MS);
    started.process.kill('SIGTERM');
    const stopped = await finished(started.process, started.output);

    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('interrupted by SIGTERM');
    expect(JSON.parse(read('terminated.json')).complete).toBe(false);
  });

  it('writes the same report from 3 shards merged', async () => {
    const shards = await Promise.all(
      [1, 2, 3].map((index) => runCli([...GRID, '--workers', '1', '--shard', `${index}/3`, '-o', `shard-${index}.jsonl`], { cwd: directory })),
    );
    for (const shard of shards) expect(shard.code).toBe(0);
    const merged = await runCli(['merge', 'shard-1.jsonl', 'shard-2.jsonl', 'shard-3.jsonl', '-o', 'merged.json'], { cwd: directory });
    expect(merged.code).toBe(0);
    expect(read('merged.json')).toBe(baseline);
  });
});

describe('bitbound check resume rules', () => {
  let directory: string;
  let report: string;

  beforeAll(async () => {
    directory = makeTemporaryDirectory('resume');
    const run = await runCli([...TINY, '-o', 'tiny.json', '--keep-checkpoint'], { cwd: directory });
    expect(run.code).toBe(TINY_STATUS);
    report = fs.readFileSync(path.join(directory, 'tiny.json'), 'utf8');
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('keeps the checkpoint with --keep-checkpoint', () => {
    expect(fs.existsSync(path.join(directory, 'tiny.json.checkpoint'))).toBe(true);
  });

  it('rejects an existing checkpoint without --resume', async () => {
    const run = await runCli([...TINY, '-o', 'tiny.json'], { cwd: directory });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^bitbound: error: tiny\.json\.checkpoint: a checkpoint of an earlier run exists here; add --resume/);
  });

  it('rejects a resume with a different option', async () => {
    const run = await runCli([...TINY, '--steps', '4', '-o', 'tiny.json', '--resume'], { cwd: directory });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('was made with --steps 3 (this run: 4)');
  });

  it('rejects a resume with different claims', async () => {
    const run = await runCli([...TINY, 'K1', '-o', 'tiny.json', '--resume'], { cwd: directory });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('was made with claims kernel-init-concentration,kernel-stability-fp');
  });

  it('rebuilds the report from a complete checkpoint', async () => {
    fs.rmSync(path.join(directory, 'tiny.json'));
    const run = await runCli([...TINY, '-o', 'tiny.json', '--resume'], { cwd: directory });
    expect(run.code).toBe(TINY_STATUS);
    expect(run.stderr).toContain('14 work items already measured');
    expect(fs.readFileSync(path.join(directory, 'tiny.json'), 'utf8')).toBe(report);
  });

  it('starts over when --resume finds no checkpoint', async () => {
    const run = await runCli([...TINY, '-o', 'fresh.json', '--resume'], { cwd: directory });
    expect(run.code).toBe(TINY_STATUS);
    expect(run.stderr).toContain('no checkpoint at fresh.json.checkpoint; starting from the first work item');
    expect(fs.readFileSync(path.join(directory, 'fresh.json'), 'utf8')).toBe(report);
  });
});

describe('bitbound merge errors', () => {
  let directory: string;

  beforeAll(async () => {
    directory = makeTemporaryDirectory('merge');
    const runs = await Promise.all([
      ...[1, 2, 3].map((index) => runCli([...TINY, '--shard', `${index}/3`, '-o', `s${index}.jsonl`], { cwd: directory })),
      runCli([...TINY, '--steps', '4', '--shard', '3/3', '-o', 'other-run.jsonl'], { cwd: directory }),
      runCli([...TINY, '-o', 'single.json'], { cwd: directory }),
    ]);
    // The shards only measure; the single run also judges the claims.
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0, TINY_STATUS]);
  });

  afterAll(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const merge = (files: string[]) => runCli(['merge', ...files, '-o', 'merged.json'], { cwd: directory });

  it('names a missing shard', async () => {
    const run = await merge(['s1.jsonl', 's2.jsonl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('shard 3/3 missing');
    expect(run.stderr).toContain('--shard 3/3');
  });

  it('names a shard given twice', async () => {
    const run = await merge(['s1.jsonl', 's2.jsonl', 's1.jsonl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('shard 1/3 is given twice (s1.jsonl and s1.jsonl)');
  });

  it('names the option that differs between runs', async () => {
    const run = await merge(['s1.jsonl', 's2.jsonl', 'other-run.jsonl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('other-run.jsonl: comes from a different run than s1.jsonl: --steps 4 (s1.jsonl: 3)');
  });

  it('names an incomplete shard and how to finish it', async () => {
    const lines = fs.readFileSync(path.join(directory, 's2.jsonl'), 'utf8').split('\n');
    fs.writeFileSync(path.join(directory, 'partial.jsonl'), `${lines.slice(0, 3).join('\n')}\n`);
    const run = await merge(['s1.jsonl', 'partial.jsonl', 's3.jsonl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('shard 2/3 is incomplete: 2 of 5 work items measured');
    expect(run.stderr).toContain('-o partial.jsonl --resume');
  });

  it('merges shards given in any order', async () => {
    const run = await merge(['s3.jsonl', 's1.jsonl', 's2.jsonl']);
    expect(run.code).toBe(TINY_STATUS);
    expect(fs.readFileSync(path.join(directory, 'merged.json'), 'utf8')).toBe(fs.readFileSync(path.join(directory, 'single.json'), 'utf8'));
  });

  it('merges shards run by the shell loop of docs/sharding.md', async () => {
    const bitbound = `node '${CLI_PATH}'`;
    const options = TINY.slice(1).join(' ');
    const script =
      `for i in 1 2 3; do ${bitbound} check ${options} --shard "$i/3" -o "loop-$i.jsonl" & done; wait; ` +
      `${bitbound} merge loop-1.jsonl loop-2.jsonl loop-3.jsonl -o loop.json`;
    const { status } = spawnSync('sh', ['-c', script], { cwd: directory, stdio: 'ignore', timeout: 120_000 });
    // The status of the script is the status of its last command, the merge.
    expect(status).toBe(TINY_STATUS);
    expect(fs.readFileSync(path.join(directory, 'loop.json'), 'utf8')).toBe(fs.readFileSync(path.join(directory, 'single.json'), 'utf8'));
  });
});
