/**
 * Execution of independent jobs (work items, scaling-law fits) in this thread alone or on
 * worker threads.
 *
 * The workers start before the run is prepared (see prestart.ts), so they load their modules
 * and build their run context while this thread loads the data and plans the work. Then
 * every thread takes jobs from one queue through an atomic counter in shared memory, so no
 * thread waits for another to hand it work. This thread takes work items too when they are
 * short; otherwise it stays free to handle a signal at once. In both cases it records the
 * results (checkpoints, progress) and evaluates the claims whose items are done while the
 * workers measure the rest. Results are stored by queue position, so the output (and
 * therefore the report) does not depend on which thread ran what.
 */
import { Worker } from 'node:worker_threads';
import type { CellMeasurement } from './cell.js';
import type { CheckOptions } from './options.js';
import { runPowerLawFit, type PowerLawFitJob, type PowerLawFitSummary } from './power-law.js';
import type { CellMeasurer, WorkItem } from './work.js';
import { takePrestartedWorkers, WORKER_URL } from './prestart.js';
import { toPostableRunContext, type PostableRunContext, type RunContext } from './run-context.js';
import { InvalidInputError, NumericalError, ResourceLimitError } from '../errors.js';

/** Called after each finished item with its index and measurement. */
export type ItemListener = (index: number, measurement: CellMeasurement) => void;

export { defaultWorkerCount } from './prestart.js';

/** Slots of the shared control array: the next queue position, and a stop flag. */
const NEXT_SLOT = 0;
const STOP_SLOT = 1;

/** A queue of jobs sent to the workers; `control` is shared by every thread taking from it. */
export type QueueTask =
  | { readonly kind: 'measure'; readonly items: readonly WorkItem[]; readonly queue: readonly number[]; readonly control: Int32Array }
  | { readonly kind: 'fit'; readonly jobs: readonly PowerLawFitJob[]; readonly control: Int32Array };

/** Message to a worker started before the run's options were known. */
export interface WorkerInit {
  readonly kind: 'init';
  readonly options: CheckOptions;
}

/** Message to a worker: the run context of the run's own options, prepared by the main thread. */
export interface WorkerContext {
  readonly kind: 'context';
  readonly context: PostableRunContext;
}

/** Message from a worker: the result at a queue position, a failure, or the end of its share. */
export type WorkerMessage =
  | { readonly kind: 'result'; readonly position: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly error: SerializedError }
  | { readonly kind: 'finished' };

/**
 * Takes the next queue position, or returns undefined when the queue is used up or stopped.
 * Shared by this thread and the workers.
 */
export function takeQueuePosition(control: Int32Array, length: number): number | undefined {
  if (Atomics.load(control, STOP_SLOT) !== 0) return undefined;
  const position = Atomics.add(control, NEXT_SLOT, 1);
  return position < length ? position : undefined;
}

/** Length of a task's queue. */
export function queueLength(task: QueueTask): number {
  return task.kind === 'measure' ? task.queue.length : task.jobs.length;
}

function createControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/** Worker threads that help this thread with the jobs of one run. */
export class WorkerPool {
  private readonly workers: Worker[];
  private busy = false;
  private context: WorkerContext | null = null;

  /**
   * Starts `count` worker threads for a run with these options (or takes prestarted ones);
   * call {@link close} when the run ends, also after an error.
   */
  constructor(options: CheckOptions, count: number) {
    this.workers = takePrestartedWorkers(count);
    for (const worker of this.workers) worker.postMessage({ kind: 'init', options } satisfies WorkerInit);
    this.add(count - this.workers.length, options);
  }

  /** Starts `count` more worker threads. */
  add(count: number, options: CheckOptions): void {
    for (let index = 0; index < count; index++) {
      const worker = new Worker(WORKER_URL, { workerData: { options } });
      if (this.context !== null) worker.postMessage(this.context);
      this.workers.push(worker);
    }
  }

  /** Sends every worker the run context of the run's own options, so none prepares it again. */
  shareContext(context: RunContext): void {
    this.context = { kind: 'context', context: toPostableRunContext(context) };
    for (const worker of this.workers) worker.postMessage(this.context);
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Sends a queue to every worker and resolves when each has used up its share, or when
   * `stopped` resolves. Rejects on the first error of a worker or of `onResult`; the queue is
   * then stopped for every thread. One queue at a time.
   */
  run(task: QueueTask, onResult: (position: number, result: unknown) => void, stopped: Promise<void>): Promise<void> {
    if (this.busy) throw new Error('WorkerPool.run: the previous queue has not finished');
    this.busy = true;
    const cleanups: (() => void)[] = [];
    const finished = this.workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const fail = (error: unknown): void => {
            Atomics.store(task.control, STOP_SLOT, 1);
            reject(error);
          };
          const onMessage = (reply: WorkerMessage): void => {
            if (reply.kind === 'finished') resolve();
            else if (reply.kind === 'error') fail(rebuildError(reply.error));
            else {
              try {
                onResult(reply.position, reply.result);
              } catch (error) {
                // An error of the listener (a failed checkpoint write) ends the run like a worker error.
                fail(error);
              }
            }
          };
          const onExit = (): void => fail(new Error('a worker thread exited before finishing its jobs'));
          worker.on('message', onMessage);
          worker.on('error', fail);
          worker.on('exit', onExit);
          cleanups.push(() => {
            worker.off('message', onMessage);
            worker.off('error', fail);
            worker.off('exit', onExit);
          });
          worker.postMessage(task);
        }),
    );
    return Promise.race([Promise.all(finished).then(() => undefined), stopped]).finally(() => {
      for (const cleanup of cleanups) cleanup();
      this.busy = false;
    });
  }

  /** Terminates the workers; jobs they were running are lost. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Runs the jobs of `task` and calls `record` with each result in this thread, then
 * `afterResult`. With workers, this thread first runs `before`, which overlaps the workers'
 * start on the queue. It then takes jobs too only when `hereTakesJobs` is set. Without
 * workers it runs every job itself with `runHere`. No thread takes a new job once `signal`
 * aborts; a job in progress in this thread finishes first.
 */
async function shareQueue(
  task: QueueTask,
  pool: WorkerPool | null,
  runHere: (position: number) => unknown,
  record: (position: number, result: unknown) => void,
  settings: { signal?: AbortSignal; before?: () => void; afterResult?: () => void; hereTakesJobs: boolean },
): Promise<void> {
  const { signal } = settings;
  const length = queueLength(task);
  const stop = (): void => {
    Atomics.store(task.control, STOP_SLOT, 1);
  };
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  const recordAndFollow = (position: number, result: unknown): void => {
    record(position, result);
    settings.afterResult?.();
  };

  const helping = pool !== null && pool.size > 0 && length > 0;
  let workerFailure: { error: unknown } | undefined;
  const stopped = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  const workersDone = helping
    ? pool.run(task, recordAndFollow, stopped).catch((error: unknown) => {
        workerFailure = { error };
      })
    : Promise.resolve();

  try {
    settings.before?.();
    while ((!helping || settings.hereTakesJobs) && workerFailure === undefined) {
      const position = takeQueuePosition(task.control, length);
      if (position === undefined) break;
      recordAndFollow(position, runHere(position));
      // A job blocks this thread, so yield between jobs to let the workers' results and a
      // signal handler through.
      if (helping || signal) await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    stop();
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  await workersDone;
  if (workerFailure) throw workerFailure.error;
}

/**
 * Work for this thread once a set of items is measured, such as evaluating what depends
 * only on them while the workers measure the rest.
 */
export interface InterimTask {
  /** Indices of the items to measure before all others. */
  readonly first: ReadonlySet<number>;
  /**
   * Called in this thread, with the measurements so far by item index, after the first
   * result that leaves every item of `first` measured. The workers meanwhile measure the
   * rest. Not called after an abort, nor when no item is measured at all, so the caller
   * then does the work itself.
   */
  run(measured: readonly (CellMeasurement | undefined)[]): void;
}

/**
 * Measures `items` with the workers of `threads.pool` and, when `threads.measuresHere` (the
 * default), this thread; without a pool, with this thread alone. Returns the measurements in
 * item order. `done` contains measurements already available (from a checkpoint); those items
 * are not measured again. See {@link InterimTask} for `interim`.
 *
 * When `signal` aborts, no thread takes a new item: the item in progress in this thread
 * finishes first, and items in progress on a worker are lost when the caller closes the pool.
 * The items not measured are undefined in the returned array.
 */
export async function measureItems(
  items: readonly WorkItem[],
  measurer: CellMeasurer,
  onItem: ItemListener,
  done: ReadonlyMap<number, CellMeasurement> = new Map(),
  threads: { pool?: WorkerPool | null; measuresHere?: boolean; signal?: AbortSignal } = {},
  interim?: InterimTask,
): Promise<(CellMeasurement | undefined)[]> {
  const { pool = null, measuresHere = true, signal } = threads;
  const results: (CellMeasurement | undefined)[] = items.map((_, index) => done.get(index));
  const first = interim?.first ?? new Set<number>();
  // The items of `first` before the others, and within each group the largest first: a wide
  // training cell taken last would leave the other threads idle while it runs. Results are
  // stored by index, so the order never reaches the report.
  const group = (index: number): number => (first.has(index) ? 0 : 1);
  const queue = items
    .map((_, index) => index)
    .filter((index) => results[index] === undefined)
    .sort((a, b) => group(a) - group(b) || itemCost(items[b]) - itemCost(items[a]) || a - b);
  let firstLeft = queue.filter((index) => first.has(index)).length;
  let interimDone = interim === undefined;
  await shareQueue(
    { kind: 'measure', items, queue, control: createControl() },
    pool,
    (position) => measurer.measure(items[queue[position]]),
    (position, measurement) => {
      const index = queue[position];
      results[index] = measurement as CellMeasurement;
      if (first.has(index)) firstLeft--;
      onItem(index, measurement as CellMeasurement);
    },
    {
      signal,
      hereTakesJobs: measuresHere,
      afterResult() {
        if (interimDone || firstLeft > 0 || signal?.aborted) return;
        interimDone = true;
        interim!.run(results);
      },
    },
  );
  return results;
}

/**
 * Runs scaling-law fit jobs with this thread and the workers of `pool` and returns the
 * summaries in job order. This thread runs `before` first, while the workers start fitting.
 */
export async function runPowerLawFits(jobs: readonly PowerLawFitJob[], pool: WorkerPool | null, before: () => void): Promise<PowerLawFitSummary[]> {
  const results: PowerLawFitSummary[] = new Array(jobs.length);
  await shareQueue(
    { kind: 'fit', jobs, control: createControl() },
    pool,
    (position) => runPowerLawFit(jobs[position]),
    (position, summary) => {
      results[position] = summary as PowerLawFitSummary;
    },
    { before, hereTakesJobs: true },
  );
  return results;
}

/** Recreates a typed error thrown inside a worker, so the CLI maps it to the same exit code. */
function rebuildError(error: SerializedError): Error {
  let rebuilt: Error;
  if (error.name === 'InvalidInputError') rebuilt = new InvalidInputError(error.field ?? 'input', error.value, '');
  else if (error.name === 'ResourceLimitError') rebuilt = new ResourceLimitError('', error.estimate ?? 0, error.limit ?? 0, error.unit ?? '');
  else if (error.name === 'NumericalError') rebuilt = new NumericalError('');
  else rebuilt = new Error('');
  rebuilt.message = error.message;
  return rebuilt;
}

/** An error as it crosses the worker boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly field?: string;
  readonly value?: unknown;
  readonly estimate?: number;
  readonly limit?: number;
  readonly unit?: string;
}

/** Converts an error into a structured-clone-safe object. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = error as Error & Partial<SerializedError>;
  return {
    name: error.name,
    message: error.message,
    ...(fields.field !== undefined ? { field: fields.field, value: safeValue(fields.value) } : {}),
    ...(fields.estimate !== undefined ? { estimate: fields.estimate, limit: fields.limit, unit: fields.unit } : {}),
  };
}

function safeValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? value : String(value);
}

/** Relative cost of a work item for scheduling: its width, tenfold for a training cell. */
function itemCost(item: WorkItem): number {
  return item.width * (item.level === 'training' ? 10 : 1);
}
