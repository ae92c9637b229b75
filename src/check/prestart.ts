/**
 * Worker threads started before a check's options are known.
 *
 * A worker spends its first tenth of a second or more loading modules. `bitbound check`
 * starts its workers here, before it loads the rest of the program (mathjs, the claim
 * catalogue), so that both loads overlap. The check's WorkerPool then takes the workers and
 * sends them the options. This module imports nothing heavy, so the CLI entry point can load it
 * first.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** The worker-thread entry point. */
export const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Default thread count: the cores this process may use. */
export function defaultWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Workers started by {@link prestartWorkers} and not yet taken. */
const prestarted: Worker[] = [];

/**
 * Starts `count` worker threads that wait for their options. Until taken they do not keep the
 * process alive, so a run that stops on invalid input exits as if they had never started.
 */
export function prestartWorkers(count: number): void {
  for (let index = 0; index < count; index++) {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    // A worker that fails before it is taken is dropped; the pool starts a new one instead.
    worker.once('error', () => {
      const position = prestarted.indexOf(worker);
      if (position >= 0) prestarted.splice(position, 1);
    });
    prestarted.push(worker);
  }
}

/** Takes up to `count` prestarted workers; they keep the process alive again from now on. */
export function takePrestartedWorkers(count: number): Worker[] {
  const taken = prestarted.splice(0, count);
  for (const worker of taken) worker.ref();
  return taken;
}

/**
 * Number of workers to start early for a `bitbound check` command line: `--workers N` (or
 * the core count) minus the main thread, which measures too unless the items are long (the
 * check then starts one more). 0 for help, for `--workers 1`, and for a value the check will
 * reject anyway.
 */
export function prestartedWorkerCount(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) return 0;
  let threads = defaultWorkerCount();
  argv.forEach((argument, index) => {
    if (argument === '--workers') threads = Number(argv[index + 1]);
    else if (argument.startsWith('--workers=')) threads = Number(argument.slice('--workers='.length));
  });
  return Number.isInteger(threads) && threads >= 2 && threads <= 256 ? threads - 1 : 0;
}

/** Starts the workers of a `bitbound check` command line early (see {@link prestartedWorkerCount}). */
export function prestartCheckWorkers(argv: readonly string[]): void {
  prestartWorkers(prestartedWorkerCount(argv));
}
