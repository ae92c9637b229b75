/**
 * Symbolic tools on validated expressions: derivatives and root finding.
 *
 * `differentiate` runs mathjs's `derivative` and `simplify` from trusted code on a tree that
 * already passed validation, and validates the result again, so a derivative is an ordinary
 * ParsedExpression that the evaluators and `interval.ts` accept. `solveForSymbol` inverts an
 * expression in one symbol with Brent's method, for questions such as "at which width m does
 * the bound drop to lambda / 4?".
 */
import type { FunctionNode, MathNode, SymbolNode } from 'mathjs';
import { InvalidInputError, NumericalError, formatValue } from '../errors.js';
import {
  expressionFromMathNode,
  expressionInternals,
  findNonFiniteSubexpressions,
  trustedMathjs,
} from './expression.js';
import type { ParsedExpression } from './expression.js';

/**
 * Largest unsimplified derivative, in tree nodes, that is passed to mathjs `simplify`. Its
 * cost grows much faster than the tree: on one core (mathjs 15.2, Node 20), 59 nodes took
 * 0.1 s, 159 nodes 0.5 s, and a 50-term sum did not finish in 10 minutes. Larger derivatives
 * are returned unsimplified, which is correct but longer.
 */
export const SIMPLIFY_MAX_NODES = 120;

/**
 * Relative tolerance on the root of {@link solveForSymbol}: the search stops when the
 * bracket is narrower than about this fraction of the root. 1e-12 is about 4500 float64 ulps,
 * which leaves room for the rounding noise of evaluating the expression near the root.
 */
export const SOLVE_RELATIVE_TOLERANCE = 1e-12;

/** Absolute tolerance floor of {@link solveForSymbol}, so a root at exactly 0 terminates. */
export const SOLVE_ABSOLUTE_TOLERANCE = 1e-300;

/**
 * Maximum Brent iterations. Plain bisection needs about 43 halvings to narrow a bracket whose
 * ends differ by a factor of 10 to the relative tolerance, and Brent's method is usually
 * faster on smooth functions. The limit is reached only for discontinuous functions or
 * roots at 0 in a wide bracket, where only the absolute floor stops the search.
 */
export const SOLVE_MAX_ITERATIONS = 200;

/** Factor by which a positive bracket is widened on each side per expansion step. */
export const BRACKET_EXPANSION_FACTOR = 10;

/**
 * Maximum expansion steps of a positive bracket: [lo, hi] grows at most to
 * [lo / 10^30, hi * 10^30], wide enough for any width or sample size.
 */
export const MAX_BRACKET_EXPANSIONS = 30;

/** Result of {@link solveForSymbol}. */
export interface SolveResult {
  /** The symbol value x with expression(x) = target, within the tolerances. */
  readonly value: number;
  /** Brent iterations after the bracket was found. */
  readonly iterations: number;
  /** expression(value) - target. */
  readonly residual: number;
  /** The bracket with a sign change that the search started from, after any expansion. */
  readonly bracket: readonly [number, number];
}

/**
 * Differentiates `expression` with respect to `symbol`.
 *
 * Uses mathjs 15 `derivative` without its built-in simplification, then `simplify` when the
 * result has at most {@link SIMPLIFY_MAX_NODES} nodes. Functions outside bitbound's grammar
 * that mathjs emits are rewritten: sec(u) = 1 / cos(u) (from tan) and
 * sech(u) = 2 / (exp(u) + exp(-u)) (from tanh). `log2(u)` is differentiated as `log(u, 2)`.
 * The result is validated like parsed text and keeps the allow-list and LaTeX names of
 * `expression`. A symbol that the expression does not use gives the constant 0.
 * Example: the derivative of `n * kappa^2 * sqrt(log(n*(n+1)/delta)/(2*m))` in m is
 * -n kappa^2 log(n(n+1)/delta) / (4 m^2 sqrt(log(n(n+1)/delta) / (2m))).
 * Throws InvalidInputError when `symbol` is not in the allow-list of `expression`. It also
 * throws when the expression applies floor, ceil, sign, min or max to something that depends
 * on `symbol`, because mathjs has no derivative rule for them, and when the derivative
 * exceeds the size limits of parsed expressions. Note that derivatives follow mathjs's formal rules: d/dx abs(x) is
 * abs(x) / x, which is NaN at 0, and d/dx cbrt(x) is x^(-2/3) / 3, which is NaN for x < 0.
 * Cost: linear in the tree size for the derivative; simplify is bounded as described above.
 */
export function differentiate(expression: ParsedExpression, symbol: string): ParsedExpression {
  const internals = expressionInternals(expression);
  if (typeof symbol !== 'string' || !internals.allowedSymbols.includes(symbol)) {
    throw new InvalidInputError(
      'differentiate symbol',
      symbol,
      `${formatValue(symbol)} is not an allowed symbol of "${expression.source}". ` +
        `Use one of ${internals.allowedSymbols.join(', ')}.`,
    );
  }

  const prepared = internals.mathNode.transform(rewriteLog2);
  let derivativeNode: MathNode;
  try {
    derivativeNode = trustedMathjs.derivative(prepared, new trustedMathjs.SymbolNode(symbol), { simplify: false });
  } catch (error) {
    throw derivativeErrorToInputError(error, expression, symbol);
  }

  let result = derivativeNode;
  if (countNodesUpTo(derivativeNode, SIMPLIFY_MAX_NODES + 1) <= SIMPLIFY_MAX_NODES) {
    result = trustedMathjs.simplify(derivativeNode);
  }
  result = result.transform(rewriteUnsupportedFunctions);

  const field = `derivative of "${expression.source}" with respect to ${symbol}`;
  return expressionFromMathNode(result, internals.allowedSymbols, internals.latexNames, field);
}

/**
 * Solves expression(symbol = x) = target for x, the other symbols taken from `scope`.
 *
 * Starts from `bracket` = [lo, hi]. When expression - target has the same sign at both ends
 * and lo > 0 (a positive quantity such as a width or a sample size), the bracket is widened
 * geometrically by {@link BRACKET_EXPANSION_FACTOR} on each side, at most
 * {@link MAX_BRACKET_EXPANSIONS} times, until the sign changes. Then Brent's method
 * (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973, chapter 4: inverse
 * quadratic interpolation, secant and bisection steps) narrows the bracket to
 * {@link SOLVE_RELATIVE_TOLERANCE} relative to the root.
 * If the expression has several roots in the bracket, one of them is returned.
 * Example: for `n * kappa^2 * sqrt(log(n*(n+1)/delta)/(2*m))` with n = 4, kappa = 1,
 * delta = 0.1 and target 0.5, the root is m = log(200) * 32 = 169.546...
 * Throws InvalidInputError when the expression does not use `symbol`, the target or bracket
 * is invalid, the value at a bracket end is NaN, or no sign change exists in the allowed
 * range (the message gives the values at the ends). Throws NumericalError when Brent's method
 * does not converge within {@link SOLVE_MAX_ITERATIONS} iterations.
 * Cost: at most 2 + 2 * MAX_BRACKET_EXPANSIONS + SOLVE_MAX_ITERATIONS evaluations.
 */
export function solveForSymbol(
  expression: ParsedExpression,
  symbol: string,
  target: number,
  scope: Readonly<Record<string, number>>,
  bracket: readonly [number, number],
): SolveResult {
  checkSolveInputs(expression, symbol, target, scope, bracket);
  const point: Record<string, number> = { ...scope };
  const residualAt = (x: number): number => {
    point[symbol] = x;
    return expression.evaluate(point) - target;
  };

  const [lo, hi] = bracket;
  const residualLo = residualAt(lo);
  const residualHi = residualAt(hi);
  for (const [x, residual] of [[lo, residualLo], [hi, residualHi]] as const) {
    if (Number.isNaN(residual)) {
      point[symbol] = x;
      const sources = findNonFiniteSubexpressions(expression, point)
        .map((term) => term.subexpression)
        .join(', ');
      throw new InvalidInputError(
        'solveForSymbol bracket',
        bracket,
        `"${expression.source}" is NaN at ${symbol} = ${formatValue(x)}` +
          (sources === '' ? '' : ` (from ${sources})`) +
          '. Choose a bracket inside the domain of the expression.',
      );
    }
  }
  if (residualLo === 0) return { value: lo, iterations: 0, residual: 0, bracket: [lo, hi] };
  if (residualHi === 0) return { value: hi, iterations: 0, residual: 0, bracket: [lo, hi] };

  const found = findSignChange(lo, residualLo, hi, residualHi, residualAt);
  if (found === null) {
    const expanded = lo > 0 ? ` or in the expanded range [${formatValue(lo / BRACKET_EXPANSION_FACTOR ** MAX_BRACKET_EXPANSIONS)}, ${formatValue(hi * BRACKET_EXPANSION_FACTOR ** MAX_BRACKET_EXPANSIONS)}]` : '';
    throw new InvalidInputError(
      'solveForSymbol bracket',
      bracket,
      `"${expression.source}" - ${formatValue(target)} has the same sign at ${symbol} = ${formatValue(lo)} ` +
        `(${formatValue(residualLo)}) and ${symbol} = ${formatValue(hi)} (${formatValue(residualHi)}), ` +
        `and no sign change was found in the bracket${expanded}. The target may be out of reach: ` +
        'check it, or give a bracket that contains the solution.',
    );
  }
  if (found.root !== null) {
    return { value: found.root, iterations: 0, residual: 0, bracket: [found.lo, found.hi] };
  }

  const { value, iterations } = brent(found.lo, found.residualLo, found.hi, found.residualHi, residualAt, expression, symbol);
  return { value, iterations, residual: residualAt(value), bracket: [found.lo, found.hi] };
}

// ---------------------------------------------------------------------------------------------
// Derivative helpers

function rewriteLog2(node: MathNode): MathNode {
  if (node.type === 'FunctionNode') {
    const call = node as FunctionNode<SymbolNode>;
    if (call.fn.type === 'SymbolNode' && call.fn.name === 'log2' && call.args.length === 1) {
      return new trustedMathjs.FunctionNode(new trustedMathjs.SymbolNode('log'), [
        call.args[0]!,
        new trustedMathjs.ConstantNode(2),
      ]);
    }
  }
  return node;
}

function rewriteUnsupportedFunctions(node: MathNode): MathNode {
  if (node.type !== 'FunctionNode') return node;
  const call = node as FunctionNode<SymbolNode>;
  if (call.fn.type !== 'SymbolNode' || call.args.length !== 1) return node;
  const argument = call.args[0]!;
  const callOf = (name: string, operand: MathNode): MathNode =>
    new trustedMathjs.FunctionNode(new trustedMathjs.SymbolNode(name), [operand]);
  const divide = (numerator: MathNode, denominator: MathNode): MathNode =>
    new trustedMathjs.OperatorNode('/', 'divide', [numerator, new trustedMathjs.ParenthesisNode(denominator)]);

  switch (call.fn.name) {
    case 'sec':
      return divide(new trustedMathjs.ConstantNode(1), callOf('cos', argument));
    case 'sech': {
      const negated = new trustedMathjs.OperatorNode('-', 'unaryMinus', [new trustedMathjs.ParenthesisNode(argument)]);
      const sum = new trustedMathjs.OperatorNode('+', 'add', [callOf('exp', argument), callOf('exp', negated)]);
      return divide(new trustedMathjs.ConstantNode(2), sum);
    }
    default:
      return node;
  }
}

/** Counts tree nodes, stopping at `limit` so an unexpectedly large tree costs little. */
function countNodesUpTo(root: MathNode, limit: number): number {
  let count = 0;
  const pending: MathNode[] = [root];
  while (pending.length > 0 && count < limit) {
    const node = pending.pop()!;
    count++;
    node.forEach((child: MathNode) => {
      pending.push(child);
    });
  }
  return count;
}

function derivativeErrorToInputError(error: unknown, expression: ParsedExpression, symbol: string): InvalidInputError {
  const message = error instanceof Error ? error.message : String(error);
  const functionName = /function "([^"]+)"/.exec(message)?.[1];
  if (functionName !== undefined) {
    return new InvalidInputError(
      'differentiate',
      expression.source,
      `cannot differentiate "${expression.source}" with respect to ${symbol}: mathjs has no ` +
        `derivative rule for ${functionName} (floor, ceil and sign are piecewise constant, min and ` +
        'max are piecewise). Differentiate each piece as its own expression.',
    );
  }
  return new InvalidInputError(
    'differentiate',
    expression.source,
    `mathjs failed to differentiate "${expression.source}" with respect to ${symbol}: ${message}.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Root-finding helpers

function checkSolveInputs(
  expression: ParsedExpression,
  symbol: string,
  target: number,
  scope: Readonly<Record<string, number>>,
  bracket: readonly [number, number],
): void {
  if (!expression.symbols.includes(symbol)) {
    throw new InvalidInputError(
      'solveForSymbol symbol',
      symbol,
      `"${expression.source}" does not use ${formatValue(symbol)}, so it cannot be solved for it. ` +
        `Use one of ${expression.symbols.join(', ') || '(no symbols)'}.`,
    );
  }
  if (typeof target !== 'number' || !Number.isFinite(target)) {
    throw new InvalidInputError('solveForSymbol target', target, `must be a finite number, got ${formatValue(target)}.`);
  }
  if (scope === null || typeof scope !== 'object') {
    throw new InvalidInputError('solveForSymbol scope', scope, 'must map the other symbols to numbers.');
  }
  const validBracket =
    Array.isArray(bracket) &&
    bracket.length === 2 &&
    bracket.every((end) => typeof end === 'number' && Number.isFinite(end)) &&
    bracket[0] < bracket[1];
  if (!validBracket) {
    throw new InvalidInputError(
      'solveForSymbol bracket',
      bracket,
      `must be two finite numbers [lo, hi] with lo < hi, got ${formatValue(JSON.stringify(bracket))}.`,
    );
  }
}

interface SignChange {
  readonly lo: number;
  readonly residualLo: number;
  readonly hi: number;
  readonly residualHi: number;
  /** A point where the residual is exactly 0, found while expanding. */
  readonly root: number | null;
}

function haveOppositeSigns(a: number, b: number): boolean {
  return (a < 0 && b > 0) || (a > 0 && b < 0);
}

/**
 * Returns a sub-bracket with a sign change: [lo, hi] itself, or for lo > 0 the first ring of
 * a geometric expansion that has one. Expansion stops on a side where the residual is NaN.
 */
function findSignChange(
  lo: number,
  residualLo: number,
  hi: number,
  residualHi: number,
  residualAt: (x: number) => number,
): SignChange | null {
  if (haveOppositeSigns(residualLo, residualHi)) return { lo, residualLo, hi, residualHi, root: null };
  if (!(lo > 0)) return null;

  let innerLo = lo;
  let innerResidualLo = residualLo;
  let innerHi = hi;
  let innerResidualHi = residualHi;
  let canExpandDown = true;
  let canExpandUp = true;
  for (let step = 0; step < MAX_BRACKET_EXPANSIONS && (canExpandDown || canExpandUp); step++) {
    if (canExpandDown) {
      const outer = innerLo / BRACKET_EXPANSION_FACTOR;
      const residual = residualAt(outer);
      if (residual === 0) return { lo: outer, residualLo: 0, hi: innerLo, residualHi: innerResidualLo, root: outer };
      if (Number.isNaN(residual) || outer === 0) {
        canExpandDown = false;
      } else if (haveOppositeSigns(residual, innerResidualLo)) {
        return { lo: outer, residualLo: residual, hi: innerLo, residualHi: innerResidualLo, root: null };
      } else {
        innerLo = outer;
        innerResidualLo = residual;
      }
    }
    if (canExpandUp) {
      const outer = innerHi * BRACKET_EXPANSION_FACTOR;
      const residual = residualAt(outer);
      if (residual === 0) return { lo: innerHi, residualLo: innerResidualHi, hi: outer, residualHi: 0, root: outer };
      if (Number.isNaN(residual) || !Number.isFinite(outer)) {
        canExpandUp = false;
      } else if (haveOppositeSigns(innerResidualHi, residual)) {
        return { lo: innerHi, residualLo: innerResidualHi, hi: outer, residualHi: residual, root: null };
      } else {
        innerHi = outer;
        innerResidualHi = residual;
      }
    }
  }
  return null;
}

/**
 * Brent's zero finder on [a, b] with f(a), f(b) of opposite signs. Each step tries inverse
 * quadratic interpolation (or the secant when only two points are distinct) and falls back to
 * bisection when the step would leave the bracket or shrink it too slowly, or when a value is
 * infinite.
 */
function brent(
  a0: number,
  fa0: number,
  b0: number,
  fb0: number,
  f: (x: number) => number,
  expression: ParsedExpression,
  symbol: string,
): { value: number; iterations: number } {
  let a = a0;
  let fa = fa0;
  let b = b0;
  let fb = fb0;
  let c = a;
  let fc = fa;
  let step = b - a;
  let previousStep = step;

  for (let iteration = 1; iteration <= SOLVE_MAX_ITERATIONS; iteration++) {
    // Keep the root between b and c, with b the best estimate so far.
    if (!haveOppositeSigns(fb, fc)) {
      c = a;
      fc = fa;
      step = b - a;
      previousStep = step;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }

    const tolerance =
      2 * Number.EPSILON * Math.abs(b) + 0.5 * (SOLVE_RELATIVE_TOLERANCE * Math.abs(b) + SOLVE_ABSOLUTE_TOLERANCE);
    const halfWidth = 0.5 * (c - b);
    if (Math.abs(halfWidth) <= tolerance || fb === 0) return { value: b, iterations: iteration - 1 };

    // Interpolation needs finite values; an infinite value at a bracket end forces bisection.
    const canInterpolate = Number.isFinite(fa) && Number.isFinite(fc);
    if (canInterpolate && Math.abs(previousStep) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * halfWidth * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * halfWidth * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept the interpolation only if it stays well inside the bracket and shrinks faster
      // than the step before last.
      if (2 * p < 3 * halfWidth * q - Math.abs(tolerance * q) && p < Math.abs(0.5 * previousStep * q)) {
        previousStep = step;
        step = p / q;
      } else {
        step = halfWidth;
        previousStep = step;
      }
    } else {
      step = halfWidth;
      previousStep = step;
    }

    a = b;
    fa = fb;
    // A step below the tolerance is replaced by a step of exactly the tolerance toward c.
    if (Math.abs(step) > tolerance) b += step;
    else b += halfWidth > 0 ? tolerance : -tolerance;
    fb = f(b);
    if (Number.isNaN(fb)) {
      throw new NumericalError(
        `solveForSymbol: "${expression.source}" is NaN at ${symbol} = ${formatValue(b)}, inside the bracket. ` +
          'The expression is not defined on the whole bracket; narrow it.',
        { symbol, at: b },
      );
    }
  }
  throw new NumericalError(
    `solveForSymbol: Brent's method did not converge in ${SOLVE_MAX_ITERATIONS} iterations for ` +
      `"${expression.source}" in ${symbol}. The function may be discontinuous in the bracket.`,
    { symbol, lastEstimate: b, residual: fb },
  );
}
