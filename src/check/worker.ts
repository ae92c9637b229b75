/**
 * Worker-thread entry point: measures the work items the pool sends, one at a time, with a
 * CellMeasurer built from the run's options.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from './options.js';
import { serializeError } from './pool.js';
import { CellMeasurer, type WorkItem } from './work.js';

const measurer = new CellMeasurer((workerData as { options: CheckOptions }).options);

parentPort?.on('message', (message: { index: number; item: WorkItem }) => {
  try {
    parentPort!.postMessage({ index: message.index, measurement: measurer.measure(message.item) });
  } catch (error) {
    parentPort!.postMessage({ index: message.index, error: serializeError(error) });
  }
});
