/**
 * Worker-thread entry point. Once it has the run's options (in `workerData`, or in an `init`
 * message for a worker started before the options were known), it prepares the run context,
 * so that work overlaps the main thread's own preparation. Then, for each queue it is sent
 * (work items to measure or scaling-law fits), it takes jobs through the shared counter,
 * posts one message per result, and a last one when the queue is used up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from './options.js';
import { queueLength, serializeError, takeQueuePosition, type QueueTask, type WorkerInit, type WorkerMessage } from './pool.js';
import { runPowerLawFit } from './power-law.js';
import { CellMeasurer } from './work.js';

let measurer: CellMeasurer | null = null;
let startError: { error: unknown } | undefined;

function start(options: CheckOptions): void {
  measurer = new CellMeasurer(options);
  try {
    measurer.context({ kappa: null, subsetSize: null });
  } catch (error) {
    // The main thread prepares the same context and reports the same error first; keep it
    // in case a queue of work items arrives anyway.
    startError = { error };
  }
}

const initial = workerData as { options?: CheckOptions } | null;
if (initial?.options !== undefined) start(initial.options);

const post = (message: WorkerMessage): void => parentPort!.postMessage(message);

function runJob(task: QueueTask, position: number): unknown {
  if (task.kind === 'fit') return runPowerLawFit(task.jobs[position]);
  if (startError) throw startError.error;
  if (measurer === null) throw new Error('the worker received work items before the run options');
  return measurer.measure(task.items[task.queue[position]]);
}

parentPort?.on('message', (message: QueueTask | WorkerInit) => {
  if (message.kind === 'init') {
    start(message.options);
    return;
  }
  const task = message;
  try {
    const length = queueLength(task);
    for (;;) {
      const position = takeQueuePosition(task.control, length);
      if (position === undefined) break;
      post({ kind: 'result', position, result: runJob(task, position) });
    }
    post({ kind: 'finished' });
  } catch (error) {
    post({ kind: 'error', error: serializeError(error) });
  }
});
