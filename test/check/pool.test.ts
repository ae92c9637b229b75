import { describe, expect, it } from 'vitest';
import type { CellMeasurement } from '../../src/check/cell.js';
import { loadCheckDataset } from '../../src/check/dataset-loader.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions } from '../../src/check/options.js';
import { measureItems, runPowerLawFits } from '../../src/check/pool.js';
import { runPowerLawFit, type PowerLawFitJob } from '../../src/check/power-law.js';
import { prestartedWorkerCount, defaultWorkerCount } from '../../src/check/prestart.js';
import { prepareRun, rescaleRunContext } from '../../src/check/run-context.js';
import type { CellMeasurer, WorkItem } from '../../src/check/work.js';

/** A measurer that records the order of the items it is asked for and returns a stub measurement. */
function recordingMeasurer(order: number[]): CellMeasurer {
  return {
    measure(item: WorkItem): CellMeasurement {
      order.push(item.seed);
      return { width: item.width, seed: item.seed, level: item.level, values: { m: item.width }, timeline: [], divergence: null, curves: null };
    },
  } as unknown as CellMeasurer;
}

const item = (width: number, seed: number, kappa: number | null = null): WorkItem => ({ width, seed, level: 'training', kappa, subsetSize: null });

describe('measureItems', () => {
  const items = [item(16, 0), item(64, 1), item(32, 2, 0.5), item(128, 3, 0.5), item(32, 4)];

  it('measures the interim items first, largest first, then runs the interim task once', async () => {
    const order: number[] = [];
    const interimSeen: number[][] = [];
    const results = await measureItems(items, recordingMeasurer(order), () => {}, new Map(), {}, {
      first: new Set([0, 1, 4]),
      run(measured) {
        interimSeen.push(measured.flatMap((cell, index) => (cell === undefined ? [] : [index])));
      },
    });
    // Seeds equal item indices here: the first group by width (64, 32, 16), then the rest (128, 32).
    expect(order).toEqual([1, 4, 0, 3, 2]);
    expect(interimSeen).toEqual([[0, 1, 4]]);
    expect(results.map((cell) => cell?.seed)).toEqual([0, 1, 2, 3, 4]);
  });

  it('skips items already done and the interim task once aborted', async () => {
    const order: number[] = [];
    const controller = new AbortController();
    let interimRuns = 0;
    const done = new Map<number, CellMeasurement>([[1, { width: 64, seed: 1, level: 'training', values: {}, timeline: [], divergence: null, curves: null }]]);
    const results = await measureItems(
      items,
      recordingMeasurer(order),
      () => controller.abort(),
      done,
      { signal: controller.signal },
      { first: new Set([0, 1]), run: () => interimRuns++ },
    );
    // The abort after the first measured item stops the queue and the interim task.
    expect(order).toEqual([0]);
    expect(interimRuns).toBe(0);
    expect(results.map((cell) => cell === undefined)).toEqual([false, false, true, true, true]);
  });
});

describe('runPowerLawFits', () => {
  it('returns fits in job order', async () => {
    const points = (exponent: number) => [64, 128, 256, 512, 1024, 2048].flatMap((N) => [0, 1].map((seed) => ({ N, loss: 0.5 + 3 * N ** -exponent * (1 + 0.01 * seed), seed })));
    const jobs: PowerLawFitJob[] = [0.3, 0.6].map((exponent, index) => ({
      of: `loss_${index}`,
      points: points(exponent),
      settings: { form: 'offset', variable: 'N', bootstrapReplicates: 20, confidence: 0.9, seed: 7 + index },
    }));
    let before = 0;
    const fits = await runPowerLawFits(jobs, null, () => before++);
    expect(before).toBe(1);
    expect(fits).toEqual(jobs.map(runPowerLawFit));
    expect(fits.map((fit) => fit.of)).toEqual(['loss_0', 'loss_1']);
  });

  it('reports a form the points cannot identify as a warning instead of failing', () => {
    const fit = runPowerLawFit({ of: 'loss', points: [{ N: 10, loss: 1 }, { N: 10, loss: 2 }], settings: { form: 'offset', variable: 'N', bootstrapReplicates: 0, confidence: 0.9, seed: 1 } });
    expect(fit.converged).toBe(false);
    expect(fit.parameters).toEqual([]);
    expect(fit.warnings.length).toBe(1);
  });
});

describe('rescaleRunContext', () => {
  const options = validateCheckOptions({ ...DEFAULT_CHECK_OPTIONS, dataset: 'synthetic:sine:d=6:n=40' });
  const dataset = loadCheckDataset(options);
  const base = prepareRun(dataset, options);

  it('matches preparation for power-of-two kappa', () => {
    for (const kappa of [0.5, 0.125, 4]) {
      const direct = prepareRun(dataset, { ...options, kappa });
      const rescaled = rescaleRunContext(base, kappa);
      expect(rescaled.runSymbols).toEqual(direct.runSymbols);
      expect(rescaled.learningRate).toBe(direct.learningRate);
      expect(rescaled.limitKernelFp.values).toEqual(direct.limitKernelFp.values);
      expect(rescaled.limitKernelOneBit.values).toEqual(direct.limitKernelOneBit.values);
      expect(rescaled.regressionOneBit).toEqual(direct.regressionOneBit);
      expect(rescaled.limitRanks).toEqual(direct.limitRanks);
    }
  });

  it('agrees with a fresh preparation to rounding for other factors', () => {
    const direct = prepareRun(dataset, { ...options, kappa: 3 });
    const rescaled = rescaleRunContext(base, 3);
    for (const [symbol, value] of Object.entries(direct.runSymbols)) {
      expect(Math.abs(rescaled.runSymbols[symbol] - value)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(value)));
    }
  });

  it('rejects a kappa that is not positive and finite', () => {
    expect(() => rescaleRunContext(base, 0)).toThrow(/positive finite/);
  });
});

describe('prestartedWorkerCount', () => {
  it('counts the threads of --workers (or the cores) but the main thread', () => {
    expect(prestartedWorkerCount(['--workers', '3'])).toBe(2);
    expect(prestartedWorkerCount(['K1', '--workers=2'])).toBe(1);
    expect(prestartedWorkerCount([])).toBe(Math.max(0, defaultWorkerCount() - 1));
  });

  it('starts none for help, one thread, or a value the check rejects', () => {
    for (const argv of [['--help'], ['-h', '--workers', '4'], ['--workers', '1'], ['--workers', '0'], ['--workers', 'two'], ['--workers', '257'], ['--workers', '2.5']]) {
      expect(prestartedWorkerCount(argv)).toBe(0);
    }
  });
});
