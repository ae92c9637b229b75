/**
 * The measured symbols that claim statements may use. Each has one name, a description, a
 * unit and the level at which it is measured:
 * - `run`: fixed for a whole check (data, options, infinite-width limits);
 * - `cell`: measured once per grid cell, a (width, seed) pair;
 * - `step`: measured along training at each recorded step t (kernel drifts only at the
 *   checkpoint steps), so a statement using it must hold at every recorded step.
 * Claims may add exponent symbols of their own (level `exponent`).
 */

/** Level at which a symbol is measured. */
export type SymbolLevel = 'run' | 'cell' | 'step' | 'exponent';

/** Documentation of one symbol. */
export interface SymbolInfo {
  readonly name: string;
  readonly level: SymbolLevel;
  readonly description: string;
  readonly unit: string;
  /** LaTeX rendering for theorem pages. */
  readonly latex: string;
}

const symbolTable: readonly SymbolInfo[] = [
  // Run level: data, options and infinite-width quantities.
  { name: 'n', level: 'run', description: 'number of training inputs', unit: 'count', latex: 'n' },
  { name: 'n_test', level: 'run', description: 'number of held-out inputs', unit: 'count', latex: 'n_{\\mathrm{test}}' },
  { name: 'd', level: 'run', description: 'input dimension', unit: 'count', latex: 'd' },
  { name: 'kappa', level: 'run', description: 'output scale of both networks', unit: 'dimensionless', latex: '\\kappa' },
  { name: 'sigma', level: 'run', description: 'standard deviation of the initial hidden weights', unit: 'dimensionless', latex: '\\sigma' },
  { name: 'eta', level: 'run', description: 'gradient-descent step size', unit: 'dimensionless', latex: '\\eta' },
  { name: 'T', level: 'run', description: 'number of training steps', unit: 'steps', latex: 'T' },
  { name: 'delta', level: 'run', description: "failure probability allowed by the claim", unit: 'probability', latex: '\\delta' },
  { name: 'centring', level: 'run', description: '1 when the sign quantizer subtracts the layer mean (alpha != 0), else 0', unit: 'flag', latex: '\\mathbb{1}_{\\alpha \\neq 0}' },
  { name: 'lambda_H', level: 'run', description: 'lambda_min of the infinite-width kernel Hstar on the training inputs', unit: 'kernel units (kappa^2)', latex: '\\lambda' },
  { name: 'lambda_max_H', level: 'run', description: 'lambda_max of Hstar', unit: 'kernel units (kappa^2)', latex: '\\lambda_{\\max}(H^*)' },
  { name: 'lambda_S', level: 'run', description: 'lambda_min of the sign-kernel limit Sstar on the training inputs', unit: 'kernel units (kappa^2)', latex: '\\lambda_S' },
  { name: 'c_eff', level: 'run', description: 'effective-kernel factor c = 2 beta / (sigma sqrt(2 pi)) of straight-through training', unit: 'dimensionless', latex: 'c' },
  { name: 'lambda_eff_1bit', level: 'run', description: 'c * lambda_S, the rate constant of the 1-bit effective kernel', unit: 'kernel units (kappa^2)', latex: 'c\\,\\lambda_S' },
  { name: 'gap_mismatch_mean', level: 'run', description: 'mean over held-out inputs of |(sstar(x)^T Sstar^+ - hstar(x)^T Hstar^+) y|, the gap left as kappa -> 0', unit: 'output units', latex: '\\overline{\\Delta}_{\\mathrm{kernel}}' },
  { name: 'gap_mismatch_max', level: 'run', description: 'max over held-out inputs of the kernel-mismatch gap', unit: 'output units', latex: '\\max \\Delta_{\\mathrm{kernel}}' },

  // Cell level: one width and one seed.
  { name: 'm', level: 'cell', description: 'width (number of hidden neurons)', unit: 'count', latex: 'm' },
  { name: 'N', level: 'cell', description: 'parameter count of the hidden layer and output signs, m * (d + 1)', unit: 'count', latex: 'N' },
  { name: 'seed', level: 'cell', description: 'seed of the initialization', unit: 'integer', latex: '\\mathrm{seed}' },
  { name: 'lambda_min_H0', level: 'cell', description: 'lambda_min of the empirical kernel H(0) at initialization', unit: 'kernel units', latex: '\\lambda_{\\min}(H(0))' },
  { name: 'lambda_min_S0', level: 'cell', description: 'lambda_min of the empirical sign kernel S(0) at initialization', unit: 'kernel units', latex: '\\lambda_{\\min}(S(0))' },
  { name: 'dev_max_H0', level: 'cell', description: 'max_ij |H(0)_ij - Hstar_ij|', unit: 'kernel units', latex: '\\lVert H(0) - H^* \\rVert_{\\max}' },
  { name: 'dev_op_H0', level: 'cell', description: '||H(0) - Hstar||_2 (spectral norm)', unit: 'kernel units', latex: '\\lVert H(0) - H^* \\rVert_2' },
  { name: 'dev_max_S0', level: 'cell', description: 'max_ij |S(0)_ij - Sstar_ij|', unit: 'kernel units', latex: '\\lVert S(0) - S^* \\rVert_{\\max}' },
  { name: 'dev_op_S0', level: 'cell', description: '||S(0) - Sstar||_2 (spectral norm)', unit: 'kernel units', latex: '\\lVert S(0) - S^* \\rVert_2' },
  { name: 'traj_dev_fp', level: 'cell', description: 'sup_t ||u(t) - u_lin(t)||_2 of the full-precision net against its linearization with H(0)', unit: 'output units', latex: '\\sup_t \\lVert u(t) - u_{\\mathrm{lin}}(t) \\rVert_2' },
  { name: 'traj_dev_1bit', level: 'cell', description: 'sup_t ||u1(t) - u1_lin(t)||_2 of the 1-bit net against its linearization with c * S(0)', unit: 'output units', latex: '\\sup_t \\lVert u_1(t) - u_{1,\\mathrm{lin}}(t) \\rVert_2' },
  { name: 'kernel_drift_fp', level: 'cell', description: 'max over checkpoints of ||H(t) - H(0)||_2 / ||H(0)||_2', unit: 'ratio', latex: '\\max_t \\tfrac{\\lVert H(t) - H(0) \\rVert_2}{\\lVert H(0) \\rVert_2}' },
  { name: 'kernel_drift_1bit', level: 'cell', description: 'max over checkpoints of ||S(t) - S(0)||_2 / ||S(0)||_2', unit: 'ratio', latex: '\\max_t \\tfrac{\\lVert S(t) - S(0) \\rVert_2}{\\lVert S(0) \\rVert_2}' },
  { name: 'loss_fp_final', level: 'cell', description: 'training loss (1/2) ||u(T) - y||^2 of the full-precision net', unit: 'squared output units', latex: 'L(T)' },
  { name: 'loss_1bit_final', level: 'cell', description: 'training loss of the 1-bit net after T steps', unit: 'squared output units', latex: 'L_1(T)' },
  { name: 'test_loss_fp', level: 'cell', description: 'held-out loss (1/2) mean (f(x) - y)^2 of the full-precision net after training', unit: 'squared output units', latex: 'L_{\\mathrm{test}}' },
  { name: 'test_loss_1bit', level: 'cell', description: 'held-out loss of the 1-bit net after training', unit: 'squared output units', latex: 'L_{1,\\mathrm{test}}' },
  { name: 'gap_init_mean', level: 'cell', description: 'mean over held-out inputs of |f1(x; W(0)) - f(x; W(0))|', unit: 'output units', latex: '\\overline{\\mathrm{gap}}(0)' },
  { name: 'gap_mean', level: 'cell', description: 'mean over held-out inputs of |f1(x; W1(T)) - f(x; W(T))|, the generalization difference', unit: 'output units', latex: '\\overline{\\mathrm{gap}}(T)' },
  { name: 'gap_max', level: 'cell', description: 'max over held-out inputs of the generalization difference', unit: 'output units', latex: '\\max \\mathrm{gap}(T)' },
  { name: 'gap_inf_mean', level: 'cell', description: 'mean of the predicted infinite-width, infinite-time gap from this initialization', unit: 'output units', latex: '\\overline{\\mathrm{gap}}_\\infty' },
  { name: 'residual_sq_fp_0', level: 'cell', description: '||y - u(0)||^2 of the full-precision net', unit: 'squared output units', latex: '\\lVert y - u(0) \\rVert^2' },
  { name: 'residual_sq_1bit_0', level: 'cell', description: '||y - u1(0)||^2 of the 1-bit net', unit: 'squared output units', latex: '\\lVert y - u_1(0) \\rVert^2' },
  { name: 'diverged', level: 'cell', description: '1 when either training run diverged, else 0', unit: 'flag', latex: '\\mathrm{diverged}' },

  // Step level: along training, t = 0..T.
  { name: 't', level: 'step', description: 'training step', unit: 'steps', latex: 't' },
  { name: 'residual_sq_fp', level: 'step', description: '||y - u(t)||^2 of the full-precision net', unit: 'squared output units', latex: '\\lVert y - u(t) \\rVert^2' },
  { name: 'residual_sq_1bit', level: 'step', description: '||y - u1(t)||^2 of the 1-bit net', unit: 'squared output units', latex: '\\lVert y - u_1(t) \\rVert^2' },
  { name: 'R_fp', level: 'step', description: 'max_r ||w_r(t) - w_r(0)||_2 of the full-precision net', unit: 'weight units', latex: 'R' },
  { name: 'Rinf_1bit', level: 'step', description: 'max_r ||w_r(t) - w_r(0)||_inf of the 1-bit net latent weights', unit: 'weight units', latex: 'R_\\infty' },
  { name: 'drift_op_H', level: 'step', description: '||H(W(t)) - H(W(0))||_2, at checkpoint steps', unit: 'kernel units', latex: '\\lVert H(W) - H(W(0)) \\rVert_2' },
  { name: 'drift_op_S', level: 'step', description: '||S(W(t)) - S(W(0))||_2, at checkpoint steps', unit: 'kernel units', latex: '\\lVert S(W) - S(W(0)) \\rVert_2' },
];

/** Every measured symbol, in documentation order. */
export const MEASURED_SYMBOLS: readonly SymbolInfo[] = symbolTable;

/** Looks up a symbol by name, or returns undefined. */
export function findSymbol(name: string): SymbolInfo | undefined {
  return symbolTable.find((symbol) => symbol.name === name);
}

/** LaTeX names of all measured symbols, for rendering statements. */
export function symbolLatexNames(): Record<string, string> {
  return Object.fromEntries(symbolTable.map((symbol) => [symbol.name, symbol.latex]));
}
