/**
 * The claim catalogue as a dependency graph: one node per claim, an arrow from each claim to
 * every claim that builds on it, nodes coloured by their latest verdict and labelled with
 * it. Claims named in `uses` but missing from the report appear as "not measured" nodes.
 *
 * Layout: a claim's column is the length of the longest chain of claims it builds on, so
 * every arrow points to the right. Within a column, claims are ordered by the mean position
 * of the claims they use and centred vertically. Coordinates are in pixels, so arrowheads can be placed and turned
 * exactly.
 */
import type { TopLevelSpec } from 'vega-lite';
import { VERDICT_STYLES, verdictStyle } from './verdicts.js';

/** A claim as the graph needs it. */
export interface GraphClaim {
  readonly id: string;
  readonly label: string;
  readonly title: string;
  readonly verdict: string;
  readonly uses: readonly string[];
  /** Relative link of the claim page, or null for a claim with no page. */
  readonly href: string | null;
}

/** A placed node of the graph. */
export interface GraphNode extends GraphClaim {
  readonly column: number;
  readonly x: number;
  readonly y: number;
}

/** Spacing of the layout, in pixels. */
const LAYOUT = { columnGap: 170, rowGap: 92, margin: 48, nodeRadius: 24, arrowLength: 10 } as const;

/** Places the claims in columns; a cycle in `uses` is broken at the claim met first again. */
export function layoutGraph(claims: readonly GraphClaim[]): GraphNode[] {
  const byId = new Map<string, GraphClaim>(claims.map((claim) => [claim.id, claim]));
  for (const claim of claims) {
    for (const used of claim.uses) {
      if (!byId.has(used)) byId.set(used, { id: used, label: used, title: used, verdict: 'not-measured', uses: [], href: null });
    }
  }

  const columns = new Map<string, number>();
  const visiting = new Set<string>();
  const columnOf = (id: string): number => {
    const known = columns.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const uses = byId.get(id)?.uses ?? [];
    const column = uses.length === 0 ? 0 : 1 + Math.max(...uses.map(columnOf));
    visiting.delete(id);
    columns.set(id, column);
    return column;
  };
  const ordered = [...byId.values()];
  ordered.forEach((claim) => columnOf(claim.id));

  const columnCount = Math.max(...columns.values()) + 1;
  const perColumn = Array.from({ length: columnCount }, (_, column) => ordered.filter((claim) => columns.get(claim.id) === column));
  // Order each column by the mean row of the claims it uses (the barycentre heuristic), which
  // removes most crossings. Ties keep report order because the sort is stable.
  const rowOf = new Map<string, number>();
  perColumn.forEach((members, column) => {
    if (column > 0) {
      const barycentre = (claim: GraphClaim): number => {
        const rows = claim.uses.map((used) => rowOf.get(used)).filter((row): row is number => row !== undefined);
        return rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + row, 0) / rows.length;
      };
      members.sort((a, b) => barycentre(a) - barycentre(b));
    }
    members.forEach((claim, row) => rowOf.set(claim.id, row + (0 - members.length) / 2));
  });
  const tallest = Math.max(...perColumn.map((members) => members.length));
  return perColumn.flatMap((members, column) =>
    members.map((claim, row) => ({
      ...claim,
      column,
      x: LAYOUT.margin + column * LAYOUT.columnGap,
      y: LAYOUT.margin + (row + (tallest - members.length) / 2) * LAYOUT.rowGap,
    })),
  );
}

/**
 * Builds the Vega-Lite specification of the graph. Rules draw the edges and triangles turned
 * along each edge the arrowheads. Circles link to the claim pages, with the label inside and
 * the verdict under each circle, and a legend lists the verdicts that occur.
 */
export function dependencyGraphSpec(claims: readonly GraphClaim[]): TopLevelSpec {
  const nodes = layoutGraph(claims);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const edges = nodes.flatMap((node) => node.uses.map((used) => edgeBetween(byId.get(used)!, node)));

  const width = Math.max(...nodes.map((node) => node.x)) + LAYOUT.margin + 40;
  const height = Math.max(...nodes.map((node) => node.y)) + LAYOUT.margin;
  const present = VERDICT_STYLES.filter((style) => nodes.some((node) => node.verdict === style.verdict));
  const unknown = [...new Set(nodes.map((node) => node.verdict))].filter((verdict) => !present.some((style) => style.verdict === verdict));
  const legendStyles = [...present, ...unknown.map(verdictStyle)];
  const x = { type: 'quantitative' as const, scale: { domain: [0, width], range: [0, width] }, axis: null };
  const y = { type: 'quantitative' as const, scale: { domain: [0, height], range: [0, height] }, axis: null };
  const nodeRows = nodes.map((node) => ({ ...node, badge: verdictStyle(node.verdict).badge, href: node.href ?? undefined }));

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height,
    layer: [
      {
        data: { values: edges },
        mark: { type: 'rule', color: '#6b7280', strokeWidth: 1.5 },
        encoding: { x: { field: 'x1', ...x }, y: { field: 'y1', ...y }, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values: edges },
        mark: { type: 'point', shape: 'triangle-right', filled: true, size: 90, color: '#6b7280', opacity: 1 },
        encoding: { x: { field: 'x2', ...x }, y: { field: 'y2', ...y }, angle: { field: 'angle', type: 'quantitative', scale: null } },
      },
      {
        data: { values: nodeRows },
        mark: { type: 'point', shape: 'circle', filled: true, size: Math.PI * LAYOUT.nodeRadius ** 2, opacity: 1, stroke: '#1f2937', strokeWidth: 1, cursor: 'pointer' },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          color: {
            field: 'verdict',
            type: 'nominal',
            title: 'Latest verdict',
            scale: { domain: legendStyles.map((style) => style.verdict), range: legendStyles.map((style) => style.colour) },
            legend: { orient: 'right', labelExpr: legendLabelExpression(legendStyles), symbolSize: 160 },
          },
          href: { field: 'href', type: 'nominal' },
          description: { field: 'title', type: 'nominal' },
        },
      },
      {
        data: { values: nodeRows },
        mark: { type: 'text', color: 'white', fontWeight: 'bold', fontSize: 13, baseline: 'middle', align: 'center' },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'label', type: 'nominal' }, href: { field: 'href', type: 'nominal' } },
      },
      {
        data: { values: nodeRows },
        mark: { type: 'text', color: '#111827', fontSize: 11, baseline: 'top', align: 'center', dy: LAYOUT.nodeRadius + 6 },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'badge', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

/** Returns the edge from the claim used to the claim that uses it, shortened to end at the target's circle. */
function edgeBetween(from: GraphNode, to: GraphNode): { x1: number; y1: number; x2: number; y2: number; angle: number; from: string; to: string } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  const start = LAYOUT.nodeRadius + 2;
  const end = LAYOUT.nodeRadius + LAYOUT.arrowLength / 2 + 2;
  return {
    x1: from.x + (dx / length) * start,
    y1: from.y + (dy / length) * start,
    x2: to.x - (dx / length) * end,
    y2: to.y - (dy / length) * end,
    // Vega turns a symbol clockwise by `angle` degrees, and the y axis points down here.
    angle: (Math.atan2(dy, dx) * 180) / Math.PI,
    from: from.id,
    to: to.id,
  };
}

/** Returns a Vega expression that maps each verdict to its badge text, for the legend labels. */
function legendLabelExpression(styles: readonly { verdict: string; badge: string }[]): string {
  return styles.reduceRight((otherwise, style) => `datum.value === ${JSON.stringify(style.verdict)} ? ${JSON.stringify(style.badge)} : ${otherwise}`, 'datum.label');
}
