/**
 * The verdict table printed by `bitbound check`: a header describing the run, then one
 * block per claim: its label, id, verdict and tightest looseness (RHS / LHS of its bounds),
 * one line per statement with its own verdict and evidence, notes on hypotheses and
 * sweeps, and the counterexample of any failed bound.
 */
import type { StatementResult } from '../check/evaluate.js';
import type { CheckReport, ClaimReport } from './report.js';
import { claimNotes, fixed, formatExponent, short } from './report.js';

/** Renders the verdict table of a report as plain text (no colour codes). */
export function renderVerdictTable(report: CheckReport): string {
  const lines: string[] = [];
  const { data, run, options } = report;
  lines.push(`bitbound check on ${data.name}: n = ${data.trainSize} training inputs, ${data.testSize} held out, d = ${data.dimension}`);
  lines.push(
    `widths ${options.widths.join(', ')}; ${options.seeds} seeds (training claims), ${options.initSeeds} (initialization claims); ` +
      `T = ${options.steps} steps, eta = ${short(run.learningRate)}${options.eta === null ? ' (1 / lambda_max of Hstar)' : ''}; ` +
      `kappa = ${options.kappa}, quantizer ${options.quantizer}`,
  );
  lines.push(
    `lambda_min(Hstar) = ${short(run.limitFp.lambdaMin)}, lambda_max = ${short(run.limitFp.lambdaMax)}; ` +
      `lambda_min(Sstar) = ${short(run.limitOneBit.lambdaMin)}` +
      (run.limitOneBit.nearSingular ? ` (near-singular: rank ${run.limitOneBit.rank} of ${data.trainSize})` : '') +
      `; Sstar ${run.signLimit.method === 'exact' ? 'exact' : `Monte Carlo, ${run.signLimit.samples} samples`}`,
  );
  lines.push('');

  const labelWidth = Math.max(...report.claims.map((claim) => claim.label.length), 5);
  const idWidth = Math.max(...report.claims.map((claim) => claim.id.length), 5);
  const verdictWidth = Math.max(...report.claims.map((claim) => claim.verdict.length), 7);
  lines.push(`${'claim'.padEnd(labelWidth)}  ${'id'.padEnd(idWidth)}  ${'verdict'.padEnd(verdictWidth)}  looseness`);
  for (const claim of report.claims) lines.push(...claimBlock(claim, labelWidth, idWidth, verdictWidth));

  lines.push('');
  lines.push('Verdicts: holds/violated for deterministic bounds; supported/refuted/inconclusive by Clopper-Pearson for claims with');
  lines.push('probability 1 - delta; consistent/inconsistent by bootstrap interval for rates; outside-hypothesis when no instance');
  lines.push('met the claim\'s hypotheses. Looseness is RHS / LHS of a bound (1 is tight).');
  return `${lines.join('\n')}\n`;
}

function claimBlock(claim: ClaimReport, labelWidth: number, idWidth: number, verdictWidth: number): string[] {
  const indent = ' '.repeat(labelWidth + 2);
  const looseness = claim.looseness === null ? 'n/a' : fixed(claim.looseness, 2);
  const lines = [`${claim.label.padEnd(labelWidth)}  ${claim.id.padEnd(idWidth)}  ${claim.verdict.padEnd(verdictWidth)}  ${looseness}`];
  const statementWidth = Math.max(...claim.statements.map((statement) => statement.id.length));
  for (const statement of claim.statements) {
    lines.push(`${indent}${statement.id.padEnd(statementWidth)}  ${statement.verdict.padEnd(18)}  ${statementEvidence(statement, claim)}`);
    if (statement.counterexample && (statement.verdict === 'violated' || statement.verdict === 'refuted')) {
      const example = statement.counterexample;
      lines.push(
        `${indent}  counterexample: m = ${example.width}, seed ${example.seed}${example.step !== null ? `, step ${example.step}` : ''}: ` +
          `lhs ${short(example.lhs)}, rhs ${short(example.rhs)}, margin ${short(example.margin)}`,
      );
    }
  }
  for (const note of claimNotes(claim, claim.sweeps)) lines.push(`${indent}${note}`);
  for (const sweep of claim.sweeps) {
    for (const fit of sweep.fits ?? []) {
      const parameters = fit.parameters.map((parameter) => `${parameter.name} ${short(parameter.estimate)}${parameter.lower !== null && parameter.upper !== null ? ` [${short(parameter.lower)}, ${short(parameter.upper)}]` : ''}`);
      if (parameters.length === 0) {
        // A refused fit has no parameters; its first warning gives the reason.
        lines.push(`${indent}${fit.of}: ${fit.formula} not fitted${fit.warnings.length > 0 ? `: ${fit.warnings[0]}` : ''}`);
        continue;
      }
      lines.push(`${indent}${fit.of}: ${fit.formula}, ${parameters.join(', ')}${fit.converged ? '' : ' (did not converge)'}`);
    }
    if (sweep.kind !== 'kappa') continue;
    if (sweep.rows.length === 0) {
      lines.push(`${indent}mean gap at m = ${sweep.width}: not measured, every run of the kappa sweep diverged`);
      continue;
    }
    const cells = sweep.rows.map((row) => `kappa ${row.value}: ${short(row.means.gap_mean)} (init ${short(row.means.gap_init_mean)}, predicted ${short(row.means.gap_inf_mean)})`);
    lines.push(`${indent}mean gap at m = ${sweep.width}, ${cells.join('; ')}; kernel-mismatch term ${short(sweep.rows[0]?.means.gap_mismatch_mean ?? Number.NaN)}`);
  }
  return lines;
}

function statementEvidence(statement: StatementResult, claim: ClaimReport): string {
  if (statement.kind === 'bound') {
    const parts: string[] = [];
    const trials = statement.trials;
    if (trials && trials.evaluated > 0) {
      const rate = statement.failureRateInterval ? ` (failure rate <= ${fixed(statement.failureRateInterval.upper, 3)})` : '';
      parts.push(`${trials.failures}/${trials.evaluated} failed${rate}`);
    }
    if (statement.asMeasuredOutsideHypothesis) {
      parts.push(`outside hypothesis: ${statement.asMeasuredOutsideHypothesis.failures}/${statement.asMeasuredOutsideHypothesis.evaluated} failed as measured`);
    }
    if (statement.nonFinite) {
      const { trials, sides, terms, first } = statement.nonFinite;
      const where = terms.length > 0 ? `, from ${terms.slice(0, 2).join(', ')}` : '';
      parts.push(`${trials} trials not counted: ${sides.join(' and ')} not finite${where} (first at m = ${first.width}, seed ${first.seed})`);
    }
    if (statement.looseness) parts.push(`looseness ${fixed(statement.looseness.min, 2)} (median ${fixed(statement.looseness.median, 2)})`);
    if (statement.holdsFromWidth !== undefined && statement.holdsFromWidth !== null) parts.push(`holds from m = ${statement.holdsFromWidth}`);
    if (statement.verdict === 'inconclusive' && statement.trialsToSettle) parts.push(`about ${statement.trialsToSettle} trials would settle it`);
    return parts.join('; ');
  }

  const exponents = claim.exponents;
  if (statement.kind === 'overlap') {
    const [first, second] = statement.expression.split(' ~ ').map((symbol) => exponents.find((exponent) => exponent.symbol === symbol));
    return first && second ? `${formatExponent(first)} vs ${formatExponent(second)}` : statement.expression;
  }
  const used = exponents.filter((exponent) => new RegExp(`\\b${exponent.symbol}\\b`).test(statement.expression));
  const target = statement.kind === 'rate-target' ? `target ${statement.expression.split(' = ')[1]}` : `claim ${statement.expression}`;
  return [...used.map(formatExponent), target].join(', ');
}
