/**
 * Helpers for end-to-end tests that run the built program as a child process. They assume
 * `npm run build` has run (`npm test` builds first).
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the built command-line entry point. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/**
 * Default time allowed for one run of the program. Runs in these tests take a few seconds;
 * the margin covers a machine shared with other test files. A run that takes longer counts
 * as a hang.
 */
export const DEFAULT_RUN_TIMEOUT_MS = 120_000;

/** Result of one run of the program. */
export interface CliRun {
  /** Exit status, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the run was killed for exceeding its timeout. */
  readonly timedOut: boolean;
}

/** Options of `runCli`. */
export interface RunOptions {
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Run as this user id (only possible as root), e.g. to make a file unreadable. */
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs `node dist/src/cli/main.js ...args` and collects its output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const child = startCli(args, options);
  return finished(child.process, child.output, options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
}

/** A started run whose output is being collected. */
export interface StartedRun {
  readonly process: ReturnType<typeof spawn>;
  readonly output: { stdout: string; stderr: string };
}

/** Starts the program without waiting for it, for tests that signal it. */
export function startCli(args: readonly string[], options: RunOptions = {}): StartedRun {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: { ...process.env, BITBOUND_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  };
  const child = spawn(process.execPath, [CLI_PATH, ...args], spawnOptions);
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  return { process: child, output };
}

/** Waits for a started run to end, killing it after `timeoutMs`. */
export function finished(child: ReturnType<typeof spawn>, output: { stdout: string; stderr: string }, timeoutMs: number = DEFAULT_RUN_TIMEOUT_MS): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: output.stdout, stderr: output.stderr, timedOut });
    });
  });
}

/** Creates a fresh temporary directory; remove it with `fs.rmSync(dir, { recursive: true })`. */
export function makeTemporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bitbound-${prefix}-`));
}

/** Matches the first line of a Node.js stack frame, which must never reach a user. */
export const STACK_TRACE_PATTERN = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

/** Waits until `predicate` holds, polling every `intervalMs`; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Counts the complete lines (ending with a newline) of a file, 0 when it does not exist. */
export function countCompleteLines(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const bytes = fs.readFileSync(file);
  let lines = 0;
  for (const byte of bytes) if (byte === 0x0a) lines++;
  return lines;
}
