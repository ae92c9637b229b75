/**
 * The Claim type: one bound of the theory, stated as inequalities over named symbols.
 *
 * A claim never compares numbers itself. It names the measured symbols it needs (see
 * `symbols.ts`), states each inequality as a math expression, and the engine measures,
 * evaluates and decides the verdict. New claims, including claims typed by a user, need
 * no engine code.
 *
 * Statement kinds and the verdicts they produce:
 * - `bound`: an inequality evaluated on every trial (one grid cell: a width and a seed). If
 *   the claim has a probability 1 - delta, the failures are counted and decided by the
 *   Clopper-Pearson rule (supported / refuted / inconclusive); otherwise any failure makes
 *   it violated, and no failure makes it hold. Symbols that vary along training make the
 *   statement hold only if it holds at every recorded step.
 * - `rate`: an inequality over a fitted exponent (a log-log slope against width with a
 *   bootstrap interval over seeds), evaluated at both ends of the interval: consistent if
 *   it holds on the whole interval, inconsistent if it fails on the whole interval.
 * - `rate-target`: consistent if the exponent's interval contains the target value.
 * - `overlap`: consistent if the intervals of two exponents overlap.
 */

/** Source of a claim: derived here, a published result, or the source paper unchecked. */
export type Provenance =
  | { readonly kind: 'derived'; readonly note: string }
  | { readonly kind: 'literature'; readonly reference: string }
  | { readonly kind: 'source-unverified'; readonly reference: string };

/** A fitted exponent: the slope of log(of) against log(against) over the width grid. */
export interface ExponentSpec {
  /** Symbol under which the exponent is available to statements, e.g. `slope_traj_dev_fp`. */
  readonly symbol: string;
  /** Per-cell measured symbol whose decay is fitted, e.g. `traj_dev_fp`. */
  readonly of: string;
  /** Per-cell symbol on the horizontal axis: `m` (width) or `N` (parameter count). */
  readonly against: 'm' | 'N';
  /** Description of the exponent, for reports. */
  readonly description: string;
}

/** One inequality of a claim. */
export type StatementSpec =
  | { readonly kind: 'bound'; readonly id: string; readonly expression: string; readonly description: string }
  | { readonly kind: 'rate'; readonly id: string; readonly expression: string; readonly description: string }
  | { readonly kind: 'rate-target'; readonly id: string; readonly exponent: string; readonly target: number; readonly description: string }
  | { readonly kind: 'overlap'; readonly id: string; readonly exponents: readonly [string, string]; readonly description: string };

/** A hypothesis: an inequality that a trial must satisfy for the claim to apply. */
export interface HypothesisSpec {
  readonly expression: string;
  readonly description: string;
}

/** Simulation depth a claim needs: the initialization only, or full training. */
export type MeasurementLevel = 'initialization' | 'training';

/** A claim of the catalogue or a user's claim. */
export interface Claim {
  /** Stable identifier, e.g. `kernel-init-concentration`. */
  readonly id: string;
  /** Short label, e.g. `K1`. */
  readonly label: string;
  readonly title: string;
  /** One paragraph in plain words: what the claim says and why it matters. */
  readonly summary: string;
  readonly provenance: Provenance;
  readonly hypotheses: readonly HypothesisSpec[];
  /** The claim holds with probability at least 1 - delta over the initialization, when set. */
  readonly delta?: number;
  readonly statements: readonly StatementSpec[];
  readonly exponents?: readonly ExponentSpec[];
  /** Simulation depth the statements need. */
  readonly measurement: MeasurementLevel;
  /** Ids of claims this one builds on. */
  readonly uses: readonly string[];
  /**
   * Extra measurement runs beyond the main grid: a sweep of kappa, of data size or of
   * steps. Each named sweep is run by the engine and summarized in the report.
   */
  readonly sweeps?: readonly SweepSpec[];
}

/**
 * An additional analysis: `kappa` and `data-size` repeat the main grid's simulations at the
 * middle width with one option changed; `steps` fits the loss curves of the largest width
 * against compute; `power-law-fit` fits scaling-law forms to cell-level symbols against the
 * parameter count N, with bootstrap intervals over seeds.
 */
export type SweepSpec =
  | { readonly kind: 'kappa'; readonly values: readonly number[] }
  | { readonly kind: 'data-size'; readonly fractions: readonly number[] }
  | { readonly kind: 'steps' }
  | { readonly kind: 'power-law-fit'; readonly of: readonly string[]; readonly form: 'pure' | 'offset' };

/** Verdicts, as defined in the module comment. */
export type Verdict =
  | 'holds'
  | 'violated'
  | 'supported'
  | 'refuted'
  | 'inconclusive'
  | 'consistent'
  | 'inconsistent'
  | 'outside-hypothesis'
  | 'not-measured';

/** Verdicts that make the command exit with status 1. */
export const FAILING_VERDICTS: readonly Verdict[] = ['violated', 'refuted'];
