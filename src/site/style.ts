/**
 * The style sheet of the theorem pages, written to `assets/style.css`. It is kept here as a
 * string so that it ships inside the compiled package with the code that writes it.
 */
import { VERDICT_STYLES, verdictClass } from './verdicts.js';

/** Returns the CSS of every page: the base rules and one badge rule per verdict. */
export function siteCss(): string {
  const badges = VERDICT_STYLES.map((style) => `.${verdictClass(style.verdict)} { background: ${style.colour}; }`).join('\n');
  return `${BASE_CSS}${badges}\n`;
}

/** Base CSS: a system font stack, a readable measure, tables, badges and figures. */
const BASE_CSS = `/* bitbound theorem pages */
:root {
  --text: #1f2328;
  --muted: #59636e;
  --border: #d1d9e0;
  --surface: #f6f8fa;
  --link: #0550ae;
}
* { box-sizing: border-box; }
html { font-size: 16px; }
body {
  margin: 0;
  color: var(--text);
  background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  line-height: 1.55;
}
main { max-width: 62rem; margin: 0 auto; padding: 0 1.25rem 3rem; }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 1.5rem 0 0.75rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 0.5rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
pre.command { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: 0.75rem 1rem; overflow-x: auto; }
.lead { font-size: 1.05rem; }
.muted { color: var(--muted); }
.small { font-size: 0.875rem; }
.site-header { border-bottom: 1px solid var(--border); background: var(--surface); }
.site-header nav { max-width: 62rem; margin: 0 auto; padding: 0.6rem 1.25rem; display: flex; gap: 1.25rem; }
.site-header .home { font-weight: 600; color: var(--text); text-decoration: none; }
.site-footer { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 2rem; border-top: 1px solid var(--border); color: var(--muted); font-size: 0.85rem; }
.breadcrumb { margin: 1rem 0 0; font-size: 0.9rem; }
.claim-label { display: inline-block; min-width: 2.5rem; margin-right: 0.4rem; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
table.narrow { width: auto; }
table.narrow td.number { padding-left: 1.5rem; }
details summary { cursor: pointer; color: var(--link); margin: 0.5rem 0; }
th, td { border-bottom: 1px solid var(--border); padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: var(--surface); font-weight: 600; }
table.facts th { width: 16rem; font-weight: 600; }
td.symbol { white-space: nowrap; }
td.meaning { min-width: 16rem; }
table.claims td:nth-child(2) { min-width: 14rem; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.table-scroll { overflow-x: auto; }
.badge {
  display: inline-block;
  padding: 0.1rem 0.55rem;
  border-radius: 999px;
  color: #fff;
  font-size: 0.8rem;
  font-weight: 600;
  line-height: 1.5;
  white-space: nowrap;
  vertical-align: middle;
}
.verdict-legend { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1rem; align-items: center; }
.verdict-legend dd { margin: 0; }
.statement { border: 1px solid var(--border); border-radius: 8px; padding: 0.25rem 1rem 0.5rem; margin: 1rem 0; }
.statement h3 { margin-top: 0.75rem; }
.formula { overflow-x: auto; overflow-y: hidden; padding: 0.25rem 0; }
.math-fallback { background: var(--surface); padding: 0.1rem 0.3rem; border-radius: 4px; }
.counterexample { font-variant-numeric: tabular-nums; }
figure.chart { margin: 1.5rem 0; }
.chart-svg { overflow-x: auto; }
.chart-svg svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 0.4rem; max-width: 48rem; }
.katex-display { margin: 0.5rem 0; }
`;
