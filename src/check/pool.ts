/**
 * Execution of work items, in this thread or on a pool of worker threads.
 *
 * Each worker builds its own CellMeasurer from the same options, so it prepares the same
 * run contexts the main thread would. Results are stored by item index, so the output order
 * (and therefore the report) does not depend on which worker finished first.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CellMeasurement } from './cell.js';
import type { CheckOptions } from './options.js';
import { CellMeasurer, type WorkItem } from './work.js';
import { InvalidInputError, NumericalError, ResourceLimitError } from '../errors.js';

/** Called after each finished item with its index and measurement. */
export type ItemListener = (index: number, measurement: CellMeasurement) => void;

/** Default worker count: the cores this process may use. */
export function defaultWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Measures `items` with `workers` threads (1 means in this thread) and returns the
 * measurements in item order. `done` holds measurements already available (from a
 * checkpoint); those items are not measured again.
 *
 * When `signal` aborts, no new item is dispatched and the workers are terminated, so items
 * in progress on a worker are lost; in this thread the item in progress finishes first. The
 * items not measured are undefined in the returned array.
 */
export async function measureItems(
  options: CheckOptions,
  items: readonly WorkItem[],
  workers: number,
  onItem: ItemListener,
  done: ReadonlyMap<number, CellMeasurement> = new Map(),
  measurer: CellMeasurer = new CellMeasurer(options),
  signal?: AbortSignal,
): Promise<(CellMeasurement | undefined)[]> {
  const results: (CellMeasurement | undefined)[] = items.map((_, index) => done.get(index));
  const pending = items.map((_, index) => index).filter((index) => results[index] === undefined);

  if (workers <= 1 || pending.length <= 1) {
    for (const index of pending) {
      if (signal?.aborted) break;
      results[index] = measurer.measure(items[index]);
      onItem(index, results[index]!);
      // Measuring blocks this thread, so yield between items to let a signal handler abort.
      if (signal) await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }

  await runOnWorkers(
    options,
    items,
    pending,
    Math.min(workers, pending.length),
    (index, measurement) => {
      results[index] = measurement;
      onItem(index, measurement);
    },
    signal,
  );
  return results;
}

async function runOnWorkers(options: CheckOptions, items: readonly WorkItem[], pending: number[], count: number, onItem: ItemListener, signal?: AbortSignal): Promise<void> {
  // Largest items first: a wide training cell dispatched last would leave the other worker
  // idle while it runs. Results are stored by index, so the order never reaches the report.
  const queue = [...pending].sort((a, b) => itemCost(items[b]) - itemCost(items[a]) || a - b);
  const workerUrl = new URL('./worker.js', import.meta.url);
  const pool = Array.from({ length: count }, () => new Worker(workerUrl, { workerData: { options } }));

  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              const index = signal?.aborted ? undefined : queue.shift();
              if (index === undefined) {
                resolve();
                return;
              }
              worker.postMessage({ index, item: items[index] });
            };
            worker.on('message', (message: { index: number; measurement?: CellMeasurement; error?: SerializedError }) => {
              if (message.error) {
                reject(rebuildError(message.error));
                return;
              }
              try {
                onItem(message.index, message.measurement!);
              } catch (error) {
                // An error of the listener (a failed checkpoint write) ends the run like a worker error.
                reject(error);
                return;
              }
              next();
            });
            worker.on('error', reject);
            signal?.addEventListener('abort', () => resolve(), { once: true });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
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
