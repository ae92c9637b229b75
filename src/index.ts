/**
 * Public API of bitbound: the models, kernels, claims, check engine, statistics, scaling-law
 * fits and reports, as used by the `bitbound` command.
 *
 * A minimal programmatic check:
 *
 * ```ts
 * import { CATALOGUE, DEFAULT_CHECK_OPTIONS, runCheck, buildReport } from 'bitbound';
 * const result = await runCheck(CATALOGUE, { ...DEFAULT_CHECK_OPTIONS, widths: [256, 1024] });
 * const report = buildReport(result, []);
 * ```
 */
export { createRng, deriveSeed, type Rng } from './util/rng.js';
export { InvalidInputError, ResourceLimitError, BoundViolation, NumericalError } from './errors.js';

export * from './model/quantizer.js';
export * from './model/network.js';
export * from './model/train.js';

export * from './kernel/empirical.js';
export * from './kernel/limits.js';
export * from './kernel/spectrum.js';
export * from './kernel/regression.js';

export * from './data/index.js';

export type { Claim, StatementSpec, HypothesisSpec, ExponentSpec, SweepSpec, Provenance, Verdict, MeasurementLevel } from './claims/claim.js';
export { FAILING_VERDICTS } from './claims/claim.js';
export { MEASURED_SYMBOLS, findSymbol, type SymbolInfo, type SymbolLevel } from './claims/symbols.js';
export { parseExpression, parseStatement, evaluateStatement, type ParsedExpression, type ParsedStatement, type StatementEvaluation } from './claims/expression.js';
export { CATALOGUE } from '../proofs/index.js';

export { DEFAULT_CHECK_OPTIONS, validateCheckOptions, type CheckOptions } from './check/options.js';
export { runCheck, planWork, hasFailingVerdict, type CheckResult, type ExecutionOptions, type ProgressSink, type SweepResult } from './check/runner.js';
export { evaluateClaim, mostSevere, type ClaimEvaluation, type StatementResult, type ExponentResult, type Counterexample } from './check/evaluate.js';
export { measureCell, type CellMeasurement } from './check/cell.js';
export { prepareRun, splitData, type RunContext } from './check/run-context.js';
export * from './check/statistics.js';

export { fitScalingLaw, fitScalingLawByFamily } from './scaling/fit.js';
export { parseScalingCsv } from './scaling/csv.js';

export { buildReport, serializeReport, reproductionCommand, type CheckReport, type ClaimReport } from './report/report.js';
export { renderVerdictTable } from './report/table.js';
export { writeFileAtomic } from './report/atomic.js';
export { TOOL_VERSION } from './version.js';
export { differentiate, solveForSymbol } from './claims/symbolic.js';
export { evaluateInterval, certifySign, interval, type Interval, type Box, type SignClaim } from './claims/interval.js';
export { loadClaimFile, parseClaimFileText, claimFromDefinition, type UserClaim } from './claims/claim-file.js';
export { runClaimProperty, type ClaimPropertyResult } from './check/property.js';
