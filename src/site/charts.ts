/**
 * Figures of the theorem pages: Vega-Lite specifications compiled to Vega and rendered
 * headless to SVG markup, with no browser and no canvas. Text widths are estimated by Vega
 * without a canvas, which can shift a label by a few pixels but never drops a mark.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Vega-Lite configuration shared by every figure: the page's font stack, quiet axes, no outer border. */
export const CHART_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 320 },
  title: { fontSize: 13, subtitleFontSize: 11, anchor: 'start', subtitleColor: '#444' },
} as const;

/**
 * Renders a Vega-Lite specification to an SVG string: `compile` to Vega, then
 * `new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG()`. The view is finalized
 * afterwards. Data must be inline (`data.values`); the view has no loader for URLs. Cost:
 * one dataflow run over the inline data.
 */
export async function renderChart(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile({ config: CHART_CONFIG, ...spec } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
