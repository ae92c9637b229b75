/**
 * Verdict presentation on the theorem pages: a text label with a glyph, a colour, and one
 * sentence of meaning. The colour never carries the verdict alone, because every badge and
 * every graph node also shows the verdict as text.
 */
import type { Verdict } from '../claims/claim.js';

/** Presentation of one verdict. */
export interface VerdictStyle {
  readonly verdict: Verdict;
  /** Badge text, a glyph and the verdict, e.g. `✓ supported`. */
  readonly badge: string;
  /** Background colour of badges and graph nodes; white text on it has a contrast ratio of at least 4.5. */
  readonly colour: string;
  readonly meaning: string;
}

/**
 * Styles of every verdict, in legend order. Passing verdicts are green, failing ones red and
 * open ones amber or grey. The glyphs tell the groups apart for readers who cannot tell the
 * colours apart.
 */
export const VERDICT_STYLES: readonly VerdictStyle[] = [
  { verdict: 'holds', badge: '✓ holds', colour: '#00704a', meaning: 'the inequality held on every measured trial' },
  { verdict: 'supported', badge: '✓ supported', colour: '#00704a', meaning: 'the Clopper-Pearson upper bound on the failure rate is at most delta' },
  { verdict: 'consistent', badge: '✓ consistent', colour: '#00704a', meaning: 'the whole bootstrap interval of the exponent satisfies the claim' },
  { verdict: 'violated', badge: '✗ violated', colour: '#b3261e', meaning: 'the inequality failed on a measured trial; the counterexample reproduces it' },
  { verdict: 'refuted', badge: '✗ refuted', colour: '#b3261e', meaning: 'the Clopper-Pearson lower bound on the failure rate exceeds delta' },
  { verdict: 'inconsistent', badge: '✗ inconsistent', colour: '#b3261e', meaning: 'no point of the bootstrap interval of the exponent satisfies the claim' },
  { verdict: 'inconclusive', badge: '? inconclusive', colour: '#8a5a00', meaning: 'the evidence does not settle the claim at these sizes' },
  { verdict: 'outside-hypothesis', badge: '∅ outside hypothesis', colour: '#4a5a70', meaning: 'no trial met the hypotheses; measurements are shown but not counted' },
  { verdict: 'not-measured', badge: '– not measured', colour: '#5f5f5f', meaning: 'the claim was not run in this report' },
];

/** Returns the style of a verdict; an unknown verdict string gets the not-measured style with its own text. */
export function verdictStyle(verdict: string): VerdictStyle {
  const style = VERDICT_STYLES.find((entry) => entry.verdict === verdict);
  if (style !== undefined) return style;
  return { ...VERDICT_STYLES[VERDICT_STYLES.length - 1]!, badge: `– ${verdict}` };
}

/** Returns the CSS class of a verdict badge, e.g. `verdict-supported`. */
export function verdictClass(verdict: string): string {
  return `verdict-${verdict.replace(/[^a-z-]/g, '')}`;
}
