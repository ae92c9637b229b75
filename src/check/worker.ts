/**
 * Worker-thread entry point. It receives the run's options (in `workerData`, or in an `init`
 * message for a worker started before the options were known), then the run context the
 * main thread prepared. For each queue it is sent (work items to measure or scaling-law
 * fits), it takes jobs through the shared counter, posts one message per result, and a last
 * one when the queue is used up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from './options.js';
import { queueLength, serializeError, takeQueuePosition, type QueueTask, type WorkerContext, type WorkerInit, type WorkerMessage } from './pool.js';
import { fromPostableRunContext } from './run-context.js';
import { runPowerLawFit } from './power-law.js';
import { CellMeasurer } from './work.js';

let measurer: CellMeasurer | null = null;

const initial = workerData as { options?: CheckOptions } | null;
if (initial?.options !== undefined) measurer = new CellMeasurer(initial.options);

const post = (message: WorkerMessage): void => parentPort!.postMessage(message);

function runJob(task: QueueTask, position: number): unknown {
  if (task.kind === 'fit') return runPowerLawFit(task.jobs[position]);
  if (measurer === null) throw new Error('the worker received work items before the run options');
  return measurer.measure(task.items[task.queue[position]]);
}

parentPort?.on('message', (message: QueueTask | WorkerInit | WorkerContext) => {
  if (message.kind === 'init') {
    measurer = new CellMeasurer(message.options);
    return;
  }
  if (message.kind === 'context') {
    measurer?.adoptBaseContext(fromPostableRunContext(message.context));
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
