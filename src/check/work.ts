/**
 * Units of measurement work and the context cache they share.
 *
 * A work item names one cell (width, seed, level) and, for the extra sweeps, the option it
 * changes (kappa) or the size of the data subset. Items are pure: the same item gives the
 * same measurement in any process, which is what lets the runner spread them over worker
 * threads and still produce the serial run's report.
 */
import type { MeasurementLevel } from '../claims/claim.js';
import { subsampleDataset } from '../data/index.js';
import { measureCell, type CellMeasurement } from './cell.js';
import type { CheckOptions } from './options.js';
import { loadCheckDataset } from './dataset-loader.js';
import { prepareRun, rescaleRunContext, type RunContext } from './run-context.js';
import { guardCellMemory } from './resources.js';

/** One cell to measure, possibly under a variant of the run's options. */
export interface WorkItem {
  readonly width: number;
  readonly seed: number;
  readonly level: MeasurementLevel;
  /** Output scale for a kappa sweep, or null for the run's own. */
  readonly kappa: number | null;
  /** Size of a data subset for a data-size sweep, or null for all the data. */
  readonly subsetSize: number | null;
}

/** Measures work items, preparing (and caching) one run context per option variant. */
export class CellMeasurer {
  private readonly contexts = new Map<string, RunContext>();
  private baseDataset: ReturnType<typeof loadCheckDataset> | null = null;

  constructor(private readonly options: CheckOptions) {}

  /** Returns the run context of an item's variant. */
  context(item: Pick<WorkItem, 'kappa' | 'subsetSize'>): RunContext {
    const key = `${item.kappa ?? ''}/${item.subsetSize ?? ''}`;
    const cached = this.contexts.get(key);
    if (cached) return cached;

    if (this.baseDataset === null) {
      this.baseDataset = loadCheckDataset(this.options);
      // The limit kernels below allocate n x n matrices, so reject an oversized run before them.
      guardCellMemory(this.baseDataset.size, Math.max(...this.options.widths), this.baseDataset.dimension, this.options);
    }
    let context: RunContext;
    if (item.kappa !== null) {
      // Only the output scale differs: rescale the context of the run's own kappa.
      context = rescaleRunContext(this.context({ kappa: null, subsetSize: item.subsetSize }), item.kappa);
    } else {
      const dataset =
        item.subsetSize === null || item.subsetSize >= this.baseDataset.size
          ? this.baseDataset
          : subsampleDataset(this.baseDataset, item.subsetSize, this.options.dataSeed);
      context = prepareRun(dataset, this.options);
    }
    this.contexts.set(key, context);
    return context;
  }

  /**
   * Uses `context`, prepared by another thread from the same options, as the context of the
   * run's own options, so this thread need not prepare it again.
   */
  adoptBaseContext(context: RunContext): void {
    this.baseDataset ??= context.dataset;
    this.contexts.set(`/`, context);
  }

  /** Measures one item. */
  measure(item: WorkItem): CellMeasurement {
    return measureCell(this.context(item), item.width, item.seed, item.level);
  }
}
