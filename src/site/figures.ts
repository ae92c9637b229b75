/**
 * Vega-Lite specifications of the claim figures. Each builder takes plain numbers and
 * returns a specification with inline data; `charts.ts` renders it to SVG. No builder draws
 * SVG itself.
 *
 * Fitted slopes are drawn through the centroid of the per-width geometric means in log-log
 * space. The pooled least-squares slope over seeds equals the slope through the geometric
 * means, so the line through that centroid with the fitted slope is the fitted line. The
 * lines through it with the ends of the slope's interval bound the band.
 */
import type { TopLevelSpec } from 'vega-lite';

/** A figure before rendering. */
export interface FigureSpec {
  /** Identifier, unique on its page, used as the HTML id of the figure. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences under the figure: what is plotted and how to read it. */
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

/** A fitted log-log slope with its interval. */
export interface SlopeFit {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly rSquared: number | null;
  /** Confidence of the interval, e.g. 0.95. */
  readonly confidence: number;
  /** Origin of the fit: the check (a reported exponent) or the page builder (from the report's cells). */
  readonly fittedBy: 'check' | 'page';
}

/** Input of {@link widthFigure}: per-seed values of one quantity against width or parameter count. */
export interface WidthFigureInput {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  /** Axis title of the quantity, e.g. `dev_max_H0 (kernel units)`. */
  readonly quantityLabel: string;
  /** Axis title of the horizontal variable, e.g. `width m`. */
  readonly againstLabel: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly seed: number }[];
  /** Slope of log y against log x with its interval, or null for no fitted line. */
  readonly fit: SlopeFit | null;
  /** The bound's right-hand side at each x, drawn as a dashed line, or null. */
  readonly bound: readonly { readonly x: number; readonly y: number }[] | null;
  /** Slopes a claim states (e.g. -0.5), drawn dotted through the same centroid as the fit. */
  readonly claimedSlopes?: readonly number[];
}

/** Number of points along a fitted line and its interval band; enough for a smooth band edge. */
const FIT_LINE_SAMPLES = 24;

/** Width of a single-panel figure, in pixels, chosen to fit the page's content column. */
export const FIGURE_WIDTH = 640;

/** Height of a single-panel figure, in pixels. */
export const FIGURE_HEIGHT = 280;

const SERIES_COLOURS = {
  seeds: '#9ca3af',
  mean: '#1d4ed8',
  fit: '#c2410c',
  band: '#fdba74',
  bound: '#b91c1c',
  claimed: '#111827',
} as const;

/**
 * Builds a figure of a quantity against width (or parameter count): one point per seed, the
 * mean over seeds per width, the fitted slope with its interval band, and the bound when
 * given. Both axes are logarithmic when every value is positive; otherwise the vertical axis
 * is linear and the means are arithmetic. The slope needs log axes, so it is left out then.
 */
export function widthFigure(input: WidthFigureInput): FigureSpec {
  const xs = [...new Set(input.points.map((point) => point.x))].sort((a, b) => a - b);
  const boundValues = input.bound?.map((point) => point.y) ?? [];
  const logY = [...input.points.map((point) => point.y), ...boundValues].every((value) => value > 0);
  const means = xs.map((x) => {
    const values = input.points.filter((point) => point.x === x).map((point) => point.y);
    const mean = logY ? Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length) : values.reduce((sum, value) => sum + value, 0) / values.length;
    return { x, y: mean };
  });

  const series: { name: string; colour: string }[] = [
    { name: 'each seed', colour: SERIES_COLOURS.seeds },
    { name: logY ? 'geometric mean over seeds' : 'mean over seeds', colour: SERIES_COLOURS.mean },
  ];
  const fit = logY && xs.length >= 2 ? input.fit : null;
  if (fit !== null) {
    series.push({ name: `fitted slope ${formatSlope(fit.estimate)}`, colour: SERIES_COLOURS.fit });
    series.push({ name: `${percent(fit.confidence)} interval of the slope`, colour: SERIES_COLOURS.band });
  }
  if (input.bound !== null) series.push({ name: 'bound (right-hand side)', colour: SERIES_COLOURS.bound });
  const claimedSlopes = logY && xs.length >= 2 ? (input.claimedSlopes ?? []) : [];
  for (const slope of claimedSlopes) series.push({ name: `claimed slope ${formatSlope(slope)}`, colour: SERIES_COLOURS.claimed });
  const colour = colourEncoding(series);
  const fitLines = fit === null ? [] : fittedLine(means, fit);
  const claimedLines = claimedSlopes.map((slope) => ({ slope, line: fittedLine(means, { estimate: slope, lower: slope, upper: slope }) }));
  const extent = [
    ...input.points.map((point) => point.y),
    ...boundValues,
    ...fitLines.flatMap((point) => [point.low, point.high]),
    ...claimedLines.flatMap((entry) => entry.line.map((point) => point.y)),
  ];
  const xEncoding = { field: 'x', type: 'quantitative', title: input.againstLabel, scale: { type: 'log', nice: false, padding: 12 }, axis: { values: xs, format: xs[xs.length - 1]! >= 1e5 ? '~s' : 'd', grid: true } };
  const yLog = logY ? logScale(extent) : null;
  const yEncoding = { field: 'y', type: 'quantitative', title: input.quantityLabel, scale: yLog?.scale ?? { zero: false, nice: true }, axis: yLog?.axis ?? { format: '~g' } };

  const layers: object[] = [];
  if (fit !== null) {
    layers.push({
      data: { values: fitLines.map((point) => ({ ...point, series: series[3]!.name })) },
      mark: { type: 'area', opacity: 0.45 },
      encoding: { x: xEncoding, y: { ...yEncoding, field: 'low' }, y2: { field: 'high' }, color: colour },
    });
  }
  if (input.bound !== null) {
    layers.push({
      data: { values: input.bound.map((point) => ({ ...point, series: 'bound (right-hand side)' })) },
      mark: { type: 'line', strokeDash: [6, 4], strokeWidth: 2 },
      encoding: { x: xEncoding, y: yEncoding, color: colour },
    });
  }
  for (const entry of claimedLines) {
    layers.push({
      data: { values: entry.line.map((point) => ({ x: point.x, y: point.y, series: `claimed slope ${formatSlope(entry.slope)}` })) },
      mark: { type: 'line', strokeDash: [2, 3], strokeWidth: 1.5 },
      encoding: { x: xEncoding, y: yEncoding, color: colour },
    });
  }
  layers.push({
    data: { values: input.points.map((point) => ({ ...point, series: 'each seed' })) },
    mark: { type: 'point', filled: true, size: 28, opacity: 0.7 },
    encoding: { x: xEncoding, y: yEncoding, color: colour },
  });
  layers.push({
    data: { values: means.map((point) => ({ ...point, series: series[1]!.name })) },
    mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 },
    encoding: { x: xEncoding, y: yEncoding, color: colour },
  });

  // The fitted line goes on top: with two widths it passes through both means and would
  // otherwise hide under the line of means.
  if (fit !== null) {
    layers.push({
      data: { values: fitLines.map((point) => ({ x: point.x, y: point.y, series: series[2]!.name })) },
      mark: { type: 'line', strokeWidth: 1.5, strokeDash: [8, 3] },
      encoding: { x: xEncoding, y: yEncoding, color: colour },
    });
  }

  const subtitle = fit === null ? [] : [fitSubtitle(fit)];
  return {
    id: input.id,
    title: input.title,
    caption: input.caption,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: input.title, subtitle },
      width: FIGURE_WIDTH,
      height: FIGURE_HEIGHT,
      layer: layers,
    } as TopLevelSpec,
  };
}

/** A mean loss curve of both networks and their kernel predictions at one width. */
export interface LossCurve {
  readonly width: number;
  readonly t: readonly number[];
  readonly lossFp: readonly number[];
  readonly lossOneBit: readonly number[];
  readonly lossLinearFp: readonly number[];
  readonly lossLinearOneBit: readonly number[];
}

/** Panel size of the loss-curve figure, in pixels; three panels fit a row of the page. */
const LOSS_PANEL = { width: 230, height: 150 } as const;

/** Most panels of the loss-curve figure, one row; beyond it the smallest, middle and largest widths are shown. */
const LOSS_PANELS_MAX = 3;

/**
 * Builds the loss-curve figure: one panel per width (the smallest, middle and largest
 * when there are more than {@link LOSS_PANELS_MAX}), training loss against step for the
 * full-precision and 1-bit networks (solid) and for gradient descent on their kernels at
 * initialization (dashed), on a logarithmic loss axis. Non-positive losses are left out,
 * because a log axis cannot show them.
 */
export function lossCurvesFigure(id: string, allCurves: readonly LossCurve[]): FigureSpec {
  const curves = allCurves.length <= LOSS_PANELS_MAX ? allCurves : [allCurves[0]!, allCurves[Math.floor((allCurves.length - 1) / 2)]!, allCurves[allCurves.length - 1]!];
  const rows: { t: number; loss: number; panel: string; network: string; dynamics: string }[] = [];
  for (const curve of curves) {
    const add = (values: readonly number[], network: string, dynamics: string): void => {
      curve.t.forEach((t, index) => {
        const loss = values[index];
        if (loss !== undefined && loss !== null && loss > 0) rows.push({ t, loss, panel: `m = ${curve.width}`, network, dynamics });
      });
    };
    add(curve.lossFp, 'full precision', 'trained network');
    add(curve.lossOneBit, '1-bit', 'trained network');
    add(curve.lossLinearFp, 'full precision', 'kernel prediction');
    add(curve.lossLinearOneBit, '1-bit', 'kernel prediction');
  }
  const lossScale = logScale(rows.map((row) => row.loss));
  const title = 'Training loss against step, trained networks and kernel predictions';
  return {
    id,
    title,
    caption:
      `Training loss ½‖u(t) − y‖², geometric mean over seeds, at width${curves.length > 1 ? 's' : ''} ${curves.map((curve) => curve.width).join(', ')}. Solid lines are the trained networks; ` +
      'dashed lines are gradient descent on the kernel at initialization (H(0) for full precision, c S(0) for 1-bit), the prediction of the kernel regime.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: title },
      data: { values: rows },
      columns: Math.min(3, curves.length),
      facet: { field: 'panel', type: 'nominal', title: null, sort: curves.map((curve) => `m = ${curve.width}`), header: { labelFontSize: 12 } },
      spec: {
        width: LOSS_PANEL.width,
        height: LOSS_PANEL.height,
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'step t' },
          y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: lossScale.scale, axis: lossScale.axis },
          color: { field: 'network', type: 'nominal', title: 'network', scale: { domain: ['full precision', '1-bit'], range: [SERIES_COLOURS.mean, SERIES_COLOURS.fit] }, legend: { orient: 'bottom' } },
          strokeDash: { field: 'dynamics', type: 'nominal', title: 'dynamics', scale: { domain: ['trained network', 'kernel prediction'], range: [[1, 0], [5, 3]] }, legend: { orient: 'bottom' } },
        },
      },
    } as TopLevelSpec,
  };
}

/** A sweep as the report stores it: rows of a swept value with mean quantities. */
export interface SweepInput {
  readonly kind: string;
  readonly variable: string;
  readonly width: number;
  readonly seeds: number;
  readonly rows: readonly { readonly value: number; readonly means: Readonly<Record<string, number | null>> }[];
}

/** Sweep quantities that only restate the swept value and are left out of sweep figures. */
const SWEEP_COORDINATES: ReadonlySet<string> = new Set(['t']);

/** Ratio of largest to smallest swept value from which the horizontal axis is logarithmic. */
const LOG_AXIS_MIN_RATIO = 4;

/**
 * Builds the figure of a sweep: each mean quantity against the swept value. An axis is
 * logarithmic when all its values are positive (the horizontal one also needs a range of at
 * least {@link LOG_AXIS_MIN_RATIO}). Quantities that are null in a row are left out there.
 */
export function sweepFigure(id: string, sweep: SweepInput): FigureSpec {
  const rows: { value: number; mean: number; quantity: string }[] = [];
  for (const row of sweep.rows) {
    for (const [quantity, mean] of Object.entries(row.means)) {
      if (SWEEP_COORDINATES.has(quantity) || mean === null || !Number.isFinite(mean)) continue;
      rows.push({ value: row.value, mean, quantity });
    }
  }
  const values = rows.map((row) => row.value);
  const logX = values.every((value) => value > 0) && Math.max(...values) / Math.min(...values) >= LOG_AXIS_MIN_RATIO;
  const logY = rows.every((row) => row.mean > 0);
  const yLog = logY ? logScale(rows.map((row) => row.mean)) : null;
  const title = `${sweepName(sweep)} at width m = ${sweep.width}, ${sweep.seeds} seeds`;
  return {
    id,
    title,
    caption: `Mean over seeds of each quantity as the ${sweep.variable} sweep changes ${sweepChange(sweep)}, with everything else as in the main run. The symbols are explained in the table of symbols.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: title },
      width: FIGURE_WIDTH,
      height: FIGURE_HEIGHT,
      data: { values: rows },
      mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 },
      encoding: {
        x: { field: 'value', type: 'quantitative', title: sweep.variable, scale: logX ? { type: 'log', nice: false, padding: 12 } : { zero: false }, axis: sweepAxis(values, logX) },
        y: { field: 'mean', type: 'quantitative', title: 'mean over seeds', scale: yLog?.scale ?? { zero: false }, axis: yLog?.axis ?? { format: '~g' } },
        color: { field: 'quantity', type: 'nominal', title: 'quantity', legend: { orient: 'bottom', columns: 2 } },
        shape: { field: 'quantity', type: 'nominal', title: 'quantity' },
      },
    } as TopLevelSpec,
  };
}

/** Most swept values that are all labelled on the axis; with more, the axis gets round ticks. */
const MAX_LABELLED_SWEEP_VALUES = 8;

/** Axis of the swept value: every swept value as a tick when there are few, and SI prefixes for large numbers. */
function sweepAxis(values: readonly number[], logX: boolean): { format?: string; labelExpr?: string; values?: number[] } {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const format = Math.max(...distinct.map(Math.abs)) >= 1e5 ? '~s' : '~g';
  // A label expression keeps every digit: on a linear scale Vega would round a format
  // without precision to the tick step (119 became 1.2e+2).
  if (distinct.length <= MAX_LABELLED_SWEEP_VALUES) return { values: distinct, labelExpr: `format(datum.value, '${format}')` };
  if (!logX) return { format };
  const ticks = logTicks(distinct[0]!, distinct[distinct.length - 1]!);
  return ticks.length >= 2 ? { format, values: ticks } : { format };
}

/** Describes a sweep kind in words, e.g. `kappa sweep`. */
export function sweepName(sweep: { readonly kind: string; readonly variable: string }): string {
  switch (sweep.kind) {
    case 'kappa':
      return 'Sweep of the output scale kappa';
    case 'data-size':
      return 'Sweep of the training-set size n';
    case 'dimension':
      return 'Sweep of the input dimension d';
    case 'steps':
      return 'Sweep of training compute C (steps times model size)';
    case 'power-law-fit':
      return 'Scaling-law fit against the parameter count N';
    default:
      return `Sweep of ${sweep.variable}`;
  }
}

function sweepChange(sweep: SweepInput): string {
  const values = sweep.rows.map((row) => row.value);
  return values.length === 0 ? '' : `from ${Math.min(...values)} to ${Math.max(...values)}`;
}

/**
 * Tick values of a log axis over [min, max]: the numbers 1, 2 and 5 times a power of ten
 * inside the range, only the powers of ten when that gives more than
 * {@link MAX_LOG_TICKS}, and every integer multiple when it gives fewer than 3. Returns an
 * empty list for a range that is not positive and finite.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const ticksWith = (mantissas: readonly number[]): number[] => {
    const ticks: number[] = [];
    for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent++) {
      for (const mantissa of mantissas) {
        const value = Number((mantissa * 10 ** exponent).toPrecision(12));
        if (value >= min && value <= max) ticks.push(value);
      }
    }
    return ticks;
  };
  const standard = ticksWith([1, 2, 5]);
  if (standard.length > MAX_LOG_TICKS) return ticksWith([1]);
  if (standard.length < 3) return ticksWith([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return standard;
}

/** Most ticks on a log axis before only powers of ten are labelled. */
const MAX_LOG_TICKS = 8;

/** Mantissas of the round numbers that end a log axis. */
const ROUND_MANTISSAS = [1, 2, 5, 10] as const;

/**
 * Scale and axis of a log axis over positive `values`: the domain runs from the largest
 * round number (1, 2 or 5 times a power of ten) at or below the smallest value to the
 * smallest one at or above the largest, and the ticks are those of {@link logTicks} on it.
 */
export function logScale(values: readonly number[]): { scale: { type: 'log'; domain?: [number, number]; nice: boolean }; axis: { format: string; values?: number[] } } {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  if (positive.length === 0) return { scale: { type: 'log', nice: true }, axis: { format: '~g' } };
  const low = roundBelow(Math.min(...positive));
  const high = roundAbove(Math.max(...positive));
  const ticks = logTicks(low, high);
  return { scale: { type: 'log', domain: [low, high], nice: false }, axis: ticks.length >= 2 ? { format: '~g', values: ticks } : { format: '~g' } };
}

function roundBelow(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const candidates = ROUND_MANTISSAS.map((mantissa) => Number((mantissa * power).toPrecision(12))).filter((candidate) => candidate <= value);
  return candidates.length === 0 ? value : Math.max(...candidates);
}

function roundAbove(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const candidates = ROUND_MANTISSAS.map((mantissa) => Number((mantissa * power).toPrecision(12))).filter((candidate) => candidate >= value);
  return candidates.length === 0 ? value : Math.min(...candidates);
}

function colourEncoding(series: readonly { name: string; colour: string }[]): object {
  return {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series.map((entry) => entry.name), range: series.map((entry) => entry.colour) },
    legend: { orient: 'bottom', columns: 2, symbolStrokeWidth: 2, symbolOpacity: 1 },
  };
}

/** Points of the fitted line and its interval band, through the centroid of the means in log-log space. */
function fittedLine(means: readonly { x: number; y: number }[], fit: Pick<SlopeFit, 'estimate' | 'lower' | 'upper'>): { x: number; y: number; low: number; high: number }[] {
  const logXs = means.map((point) => Math.log(point.x));
  const centreX = logXs.reduce((sum, value) => sum + value, 0) / logXs.length;
  const centreY = means.reduce((sum, point) => sum + Math.log(point.y), 0) / means.length;
  const first = Math.min(...logXs);
  const last = Math.max(...logXs);
  const points: { x: number; y: number; low: number; high: number }[] = [];
  for (let index = 0; index < FIT_LINE_SAMPLES; index++) {
    const logX = first + ((last - first) * index) / (FIT_LINE_SAMPLES - 1);
    const at = (slope: number): number => Math.exp(centreY + slope * (logX - centreX));
    const ends = [at(fit.lower), at(fit.upper)];
    points.push({ x: Math.exp(logX), y: at(fit.estimate), low: Math.min(...ends), high: Math.max(...ends) });
  }
  return points;
}

function fitSubtitle(fit: SlopeFit): string {
  const origin = fit.fittedBy === 'check' ? 'fitted by the check' : 'fitted for this page from the report cells';
  const rSquared = fit.rSquared === null ? '' : `, r² ${fit.rSquared.toFixed(2)}`;
  return `slope ${formatSlope(fit.estimate)}, ${percent(fit.confidence)} bootstrap interval [${formatSlope(fit.lower)}, ${formatSlope(fit.upper)}]${rSquared}, ${origin}`;
}

function formatSlope(value: number): string {
  return value.toFixed(3).replace('-', '−');
}

function percent(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(3))}%`;
}
