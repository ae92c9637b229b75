/**
 * Math expressions and inequality statements over named symbols, parsed safely from text.
 *
 * Every bound in bitbound is a statement such as
 * `lambda_min_H0 >= lambda - n * kappa^2 * sqrt(log(n*(n+1)/delta) / (2*m))`. Users also type
 * such statements on the command line, so the text is untrusted. mathjs 15 is used only to
 * parse the text, to render LaTeX and (in `symbolic.ts`) to differentiate. After parsing, the
 * tree is checked node by node against a small grammar and converted into bitbound's own
 * tree, which the evaluators here and in `interval.ts` walk over plain float64 numbers. No
 * text or tree ever reaches mathjs's evaluator, and no scope object is handed to mathjs.
 *
 * The accepted grammar:
 * - finite number literals (`2`, `0.5`, `1e-6`, `0x10`);
 * - symbols from the caller's allow-list, plus the constants `pi` and `e`;
 * - parentheses, binary `+ - * / ^`, unary `-` and `+`, and implicit multiplication (`2 m`);
 * - calls of the functions in {@link ALLOWED_FUNCTIONS} with the listed number of arguments.
 *
 * Everything else is rejected with an {@link ExpressionInputError} that names the offending
 * token and its 1-based character position: property access, indexing, assignment, function
 * definitions, objects, matrices, ranges, several statements, conditionals, strings, booleans,
 * units, `%`, comparison operators inside an expression, and calls of any other function
 * (`import`, `evaluate`, `parse`, `createUnit`, `simplify`, `derivative`, ...).
 *
 * Numeric semantics are those of JavaScript's `Math` on float64, not mathjs's: `sqrt(-1)` and
 * `log(-1)` are NaN (mathjs would return a complex number), and `(-8)^(1/3)` is NaN.
 * {@link findNonFiniteSubexpressions} names the sub-expression where a NaN or infinity starts.
 *
 * Cost: parsing is linear in the text length, which is capped at {@link MAX_EXPRESSION_LENGTH}.
 * One evaluation visits each tree node once; the grammar has no loops, recursion or
 * user-defined functions, so {@link MAX_NODE_COUNT} bounds the cost of every evaluation.
 */
import { createRequire } from 'node:module';
import type {
  AccessorNode,
  AssignmentNode,
  FunctionAssignmentNode,
  FunctionNode,
  MathNode,
  OperatorNode,
  ParenthesisNode,
  SymbolNode,
} from 'mathjs';
import { InvalidInputError, formatValue } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// Limits and the allowed grammar

/**
 * Maximum length of an expression or statement, in UTF-16 code units. Bounds in the
 * catalogue are under 200 characters, and the cap keeps parse time and error messages small.
 */
export const MAX_EXPRESSION_LENGTH = 2000;

/**
 * Maximum nesting of brackets `( [ {`, checked on the raw text before mathjs parses it.
 * The mathjs 15.2 parser recurses once per bracket level and overflowed the default Node 20
 * stack at 300 nested parentheses (200 still parsed), so 40 keeps a wide margin. Real bounds
 * nest fewer than 10 levels.
 */
export const MAX_BRACKET_DEPTH = 40;

/**
 * Maximum number of nodes in a parsed tree, parentheses included. The grammar has no loops,
 * so one evaluation costs at most this many node visits.
 */
export const MAX_NODE_COUNT = 1000;

/**
 * Maximum depth of a parsed tree. A sum of k terms written without parentheses is k levels
 * deep, so this caps such sums at about 100 terms. The cap bounds the recursion of the
 * evaluators here and of mathjs's toTex and derivative.
 */
export const MAX_TREE_DEPTH = 100;

/** Minimum and maximum number of arguments of an allowed function. */
export interface FunctionArity {
  readonly minArgs: number;
  readonly maxArgs: number;
}

/**
 * Functions an expression may call, with their arity. `log(x)` is the natural logarithm and
 * `log(x, b)` the logarithm to base b. `min` and `max` take one or more arguments.
 */
export const ALLOWED_FUNCTIONS = Object.freeze({
  sqrt: { minArgs: 1, maxArgs: 1 },
  log: { minArgs: 1, maxArgs: 2 },
  log2: { minArgs: 1, maxArgs: 1 },
  log10: { minArgs: 1, maxArgs: 1 },
  exp: { minArgs: 1, maxArgs: 1 },
  abs: { minArgs: 1, maxArgs: 1 },
  min: { minArgs: 1, maxArgs: Number.POSITIVE_INFINITY },
  max: { minArgs: 1, maxArgs: Number.POSITIVE_INFINITY },
  floor: { minArgs: 1, maxArgs: 1 },
  ceil: { minArgs: 1, maxArgs: 1 },
  sin: { minArgs: 1, maxArgs: 1 },
  cos: { minArgs: 1, maxArgs: 1 },
  tan: { minArgs: 1, maxArgs: 1 },
  atan: { minArgs: 1, maxArgs: 1 },
  acos: { minArgs: 1, maxArgs: 1 },
  asin: { minArgs: 1, maxArgs: 1 },
  tanh: { minArgs: 1, maxArgs: 1 },
  sign: { minArgs: 1, maxArgs: 1 },
  cbrt: { minArgs: 1, maxArgs: 1 },
  pow: { minArgs: 2, maxArgs: 2 },
} as const satisfies Record<string, FunctionArity>);

/** Name of a function in {@link ALLOWED_FUNCTIONS}. */
export type AllowedFunctionName = keyof typeof ALLOWED_FUNCTIONS;

/** Constants every expression may use without listing them as symbols. */
export const NAMED_CONSTANTS = Object.freeze({ pi: Math.PI, e: Math.E });

/** Name of a constant in {@link NAMED_CONSTANTS}. */
export type NamedConstantName = keyof typeof NAMED_CONSTANTS;

/** Relation of a statement, read as `lhs relation rhs`. */
export type Relation = '<=' | '<' | '>=' | '>';

/** Binary operators of the grammar. */
export type BinaryOperator = '+' | '-' | '*' | '/' | '^';

const ALLOWED_FUNCTION_LIST = Object.keys(ALLOWED_FUNCTIONS).join(', ');

/** Words the mathjs parser reads as operators or literals, so they cannot name a symbol. */
const PARSER_KEYWORDS = new Set([
  'and', 'or', 'not', 'xor', 'mod', 'to', 'in', 'true', 'false', 'null', 'undefined', 'NaN',
  'Infinity',
]);

const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

// ---------------------------------------------------------------------------------------------
// Public types

/** An expression that passed validation, with its own evaluator. */
export interface ParsedExpression {
  /** The text the expression was parsed from (for derived expressions, mathjs's rendering). */
  readonly source: string;
  /** The allow-listed symbols the expression uses, in order of first appearance. */
  readonly symbols: readonly string[];
  /** LaTeX rendering, without surrounding `$`. */
  readonly latex: string;
  /**
   * Evaluates the expression in float64 with JavaScript's `Math` semantics. Every symbol in
   * `symbols` must be an own property of `scope` holding a number, else InvalidInputError.
   * The result may be NaN or infinite, and {@link findNonFiniteSubexpressions} finds where
   * such a value starts.
   * Cost: one visit per tree node.
   */
  evaluate(scope: Readonly<Record<string, number>>): number;
}

/** A statement `lhs relation rhs` that passed validation. */
export interface ParsedStatement {
  readonly source: string;
  readonly relation: Relation;
  readonly lhs: ParsedExpression;
  readonly rhs: ParsedExpression;
  /** Symbols of both sides, in order of first appearance. */
  readonly symbols: readonly string[];
  /** LaTeX rendering with `\le` or `\ge` for non-strict relations. */
  readonly latex: string;
}

/** Options of {@link parseExpression} and {@link parseStatement}. */
export interface ParseOptions {
  /**
   * Custom LaTeX for symbol names, e.g. `{ lambda_min_H0: '\\lambda_{\\min}(H_0)' }`.
   * Symbols not listed get the default rendering described at {@link symbolToLatex}.
   */
  readonly latexNames?: Readonly<Record<string, string>>;
  /** Name of the input in error messages, e.g. `--claim`. Defaults to `expression`. */
  readonly field?: string;
}

/** Result of checking a statement on numbers; see {@link evaluateStatement}. */
export interface StatementEvaluation {
  readonly lhs: number;
  readonly rhs: number;
  readonly holds: boolean;
  /** `big - small` after normalizing to `small <= big`; positive means slack. */
  readonly margin: number;
  /** `big / small` when both are finite and positive, else null. */
  readonly looseness: number | null;
  /** The sides (`'lhs'`, `'rhs'`) whose value is NaN or infinite; empty when both are finite. */
  readonly nonFinite: ReadonlyArray<'lhs' | 'rhs'>;
  /** Sub-expressions where each non-finite value starts, from {@link findNonFiniteSubexpressions}. */
  readonly nonFiniteTerms: readonly NonFiniteTerm[];
}

/** A sub-expression whose value is NaN or infinite although all its operands are finite. */
export interface NonFiniteTerm {
  /** The sub-expression, as mathjs prints it, e.g. `log(x - 2)`. */
  readonly subexpression: string;
  readonly value: number;
}

/**
 * Invalid expression text. `position` is the 1-based character index of the offending token
 * in the text (null when it cannot be located), and `token` is that token.
 */
export class ExpressionInputError extends InvalidInputError {
  readonly position: number | null;
  readonly token: string | null;

  constructor(field: string, text: string, message: string, position: number | null, token: string | null) {
    super(field, text, message);
    this.position = position;
    this.token = token;
  }
}

// ---------------------------------------------------------------------------------------------
// The mathjs instance

/**
 * Bitbound's tree. Each node keeps the mathjs node it came from (`origin`), which
 * `symbolic.ts` differentiates and error reports print.
 */
export type ExpressionNode =
  | { readonly kind: 'constant'; readonly value: number; readonly origin: MathNode }
  | {
      readonly kind: 'namedConstant';
      readonly name: NamedConstantName;
      readonly value: number;
      readonly origin: MathNode;
    }
  | { readonly kind: 'symbol'; readonly name: string; readonly origin: MathNode }
  | { readonly kind: 'negate'; readonly operand: ExpressionNode; readonly origin: MathNode }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly origin: MathNode;
    }
  | {
      readonly kind: 'call';
      readonly name: AllowedFunctionName;
      readonly args: readonly ExpressionNode[];
      readonly origin: MathNode;
    };

// mathjs ships the same release as one bundled file. Node loads that file in about 50 ms,
// against about 550 ms for the package's ES module graph of several hundred files, and every
// CLI command pays this once at start-up.
const { create, all } = createRequire(import.meta.url)('mathjs/lib/browser/math.js') as typeof import('mathjs');
const math = create(all);

/**
 * mathjs functions and node constructors captured before the instance is hardened below.
 * Only trusted bitbound code calls them, on trees that passed validation.
 * @internal
 */
export const trustedMathjs = Object.freeze({
  parse: math.parse,
  derivative: math.derivative,
  simplify: math.simplify,
  isValuelessUnit: (name: string): boolean => math.Unit.isValuelessUnit(name),
  ConstantNode: math.ConstantNode,
  SymbolNode: math.SymbolNode,
  FunctionNode: math.FunctionNode,
  OperatorNode: math.OperatorNode,
  ParenthesisNode: math.ParenthesisNode,
});

hardenMathjsInstance();

/**
 * Replaces the functions that can change the instance or parse new text with functions that
 * throw, as the mathjs security guide recommends. Validation already keeps them out of every
 * tree, and bitbound never evaluates through mathjs. This is a second line of defence for
 * toTex, which looks functions up on the instance, and for any code that calls
 * `node.evaluate()` by mistake.
 */
function hardenMathjsInstance(): void {
  const disabled = (name: string) =>
    function disabledFunction(): never {
      throw new Error(`mathjs function ${name} is disabled in bitbound`);
    };
  const names = [
    'import', 'createUnit', 'reviver', 'evaluate', 'parse', 'compile', 'simplify',
    'simplifyConstant', 'simplifyCore', 'derivative', 'resolve', 'rationalize', 'parser', 'chain',
  ];
  const replacements: Record<string, () => never> = {};
  for (const name of names) replacements[name] = disabled(name);
  math.import(replacements, { override: true });
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Internal state of a ParsedExpression: bitbound's tree, the mathjs tree, the allow-list
 * and the LaTeX names.
 * @internal
 */
export interface ExpressionInternals {
  readonly root: ExpressionNode;
  readonly mathNode: MathNode;
  readonly allowedSymbols: readonly string[];
  readonly latexNames: Readonly<Record<string, string>>;
}

const internalsByExpression = new WeakMap<ParsedExpression, ExpressionInternals>();

/**
 * Parses `text` into an expression over `allowedSymbols`.
 *
 * Syntax: mathjs syntax restricted to the grammar in the module documentation.
 * Example: `parseExpression('sqrt(log(n*(n+1)/delta)/(2*m))', ['n', 'delta', 'm'])
 * .evaluate({ n: 4, delta: 0.1, m: 100 })` returns sqrt(log(200)/200) = 0.16276...
 *
 * Throws ExpressionInputError (an InvalidInputError) naming the token and its 1-based
 * character position for a syntax error, a construct outside the grammar, an unknown symbol
 * or function, a wrong number of arguments, or text over the size limits. Throws
 * InvalidInputError when `allowedSymbols` contains a name that is not an identifier or is
 * reserved (a function name, `pi`, `e`, a parser keyword, or a property of Object.prototype).
 * Cost: linear in the text length, at most {@link MAX_EXPRESSION_LENGTH} characters.
 */
export function parseExpression(
  text: string,
  allowedSymbols: readonly string[],
  options: ParseOptions = {},
): ParsedExpression {
  const field = options.field ?? 'expression';
  const allowed = checkAllowedSymbols(allowedSymbols);
  const root = parseText(text, field);
  checkTreeSize(root, text, field);

  const context = newCompileContext(text, field, allowed);
  return buildExpression(root, text, context, allowedSymbols, options.latexNames ?? {});
}

/**
 * Parses `text` as a statement `lhs relation rhs` with exactly one relation among
 * `<=`, `<`, `>=`, `>` at the top level. Both sides follow the grammar of
 * {@link parseExpression}. Chained relations (`a <= b <= c`), equalities (`==`, `!=`) and
 * relations inside a side are rejected with their position.
 * Example: `parseStatement('x^2 + 1 >= 2*x', ['x'])` has relation `>=`, lhs `x^2 + 1`.
 * Cost: linear in the text length.
 */
export function parseStatement(
  text: string,
  allowedSymbols: readonly string[],
  options: ParseOptions = {},
): ParsedStatement {
  const field = options.field ?? 'statement';
  const latexNames = options.latexNames ?? {};
  const allowed = checkAllowedSymbols(allowedSymbols);
  const parsed = parseText(text, field);
  checkTreeSize(parsed, text, field);

  // Outer parentheses around the whole statement are accepted. The sides are then printed
  // by mathjs, because the raw text cannot be split at the relation.
  let root = parsed;
  let wrappedInParentheses = false;
  while (root.type === 'ParenthesisNode') {
    root = (root as ParenthesisNode).content;
    wrappedInParentheses = true;
  }
  const relation = relationOfRoot(root, text, field);
  const [lhsNode, rhsNode] = (root as OperatorNode).args as [MathNode, MathNode];

  const context = newCompileContext(text, field, allowed);
  let lhsSource = lhsNode.toString();
  let rhsSource = rhsNode.toString();
  if (!wrappedInParentheses) {
    // Validation leaves exactly one relational operator in the text, so the first match is it.
    const relationIndex = text.search(/<=|>=|<|>/);
    lhsSource = text.slice(0, relationIndex).trim();
    rhsSource = text.slice(relationIndex + relation.length).trim();
  }
  const lhs = buildExpression(lhsNode, lhsSource, context, allowedSymbols, latexNames);
  const rhs = buildExpression(rhsNode, rhsSource, context, allowedSymbols, latexNames);

  const relationLatex = RELATION_LATEX[relation];
  return Object.freeze({
    source: text,
    relation,
    lhs,
    rhs,
    symbols: Object.freeze([...context.symbolsInOrder]),
    latex: `${lhs.latex} ${relationLatex} ${rhs.latex}`,
  });
}

const RELATION_LATEX: Readonly<Record<Relation, string>> = {
  '<=': '\\le',
  '<': '<',
  '>=': '\\ge',
  '>': '>',
};

/**
 * Evaluates both sides of `statement` on `scope` and compares them.
 *
 * The statement is normalized to `small <= big` (for `a >= b`, small = b and big = a).
 * margin = big - small. A non-strict relation holds when margin >= 0 and a strict one when
 * margin > 0. looseness = big / small when both are finite and positive, else null, because a
 * vacuous or sign-changing bound has no meaningful ratio. When either side is NaN or
 * infinite, `holds` is false, `nonFinite` names the side and `nonFiniteTerms` names where the
 * value starts.
 * Example: `x^2 + 1 >= 2*x` at x = 3 gives lhs 10, rhs 6, margin 4, looseness 10/6.
 * Throws InvalidInputError when a symbol has no number in `scope`.
 * Cost: two evaluations, plus two diagnostic walks when a side is not finite.
 */
export function evaluateStatement(
  statement: ParsedStatement,
  scope: Readonly<Record<string, number>>,
): StatementEvaluation {
  const lhs = statement.lhs.evaluate(scope);
  const rhs = statement.rhs.evaluate(scope);
  const lhsIsSmallSide = statement.relation === '<=' || statement.relation === '<';
  const small = lhsIsSmallSide ? lhs : rhs;
  const big = lhsIsSmallSide ? rhs : lhs;
  const margin = big - small;

  const nonFinite: Array<'lhs' | 'rhs'> = [];
  const nonFiniteTerms: NonFiniteTerm[] = [];
  if (!Number.isFinite(lhs)) {
    nonFinite.push('lhs');
    nonFiniteTerms.push(...findNonFiniteSubexpressions(statement.lhs, scope));
  }
  if (!Number.isFinite(rhs)) {
    nonFinite.push('rhs');
    nonFiniteTerms.push(...findNonFiniteSubexpressions(statement.rhs, scope));
  }

  const strict = statement.relation === '<' || statement.relation === '>';
  const holds = nonFinite.length === 0 && (strict ? margin > 0 : margin >= 0);
  const looseness =
    Number.isFinite(small) && Number.isFinite(big) && small > 0 && big > 0 ? big / small : null;
  return { lhs, rhs, holds, margin, looseness, nonFinite, nonFiniteTerms };
}

/**
 * Finds where NaN or infinite values start in `expression` at `scope`: the sub-expressions
 * whose value is not finite while every operand is finite (a symbol whose scope value is not
 * finite counts too). Returns an empty list when the value of the whole expression is finite
 * everywhere along the way.
 * Example: `sqrt(x) + log(y)` at x = -1, y = 0 returns `sqrt(x)` (NaN) and `log(y)` (-Infinity).
 * Cost: one evaluation.
 */
export function findNonFiniteSubexpressions(
  expression: ParsedExpression,
  scope: Readonly<Record<string, number>>,
): NonFiniteTerm[] {
  const internals = expressionInternals(expression);
  checkScope(expression, scope);
  const found: NonFiniteTerm[] = [];
  evaluateNodeRecordingNonFinite(internals.root, scope, found);
  return found;
}

/**
 * Returns the internal tree, mathjs tree, allow-list and LaTeX names of an expression made by
 * this module. Throws InvalidInputError for any other object.
 * @internal Used by `symbolic.ts` and `interval.ts`; not part of the public API.
 */
export function expressionInternals(expression: ParsedExpression): ExpressionInternals {
  const internals = internalsByExpression.get(expression);
  if (internals === undefined) {
    throw new InvalidInputError(
      'expression',
      expression,
      'is not a ParsedExpression created by parseExpression or parseStatement. ' +
        'Parse the text with parseExpression first.',
    );
  }
  return internals;
}

/**
 * Validates a mathjs tree built by trusted code (a derivative) and wraps it as a
 * ParsedExpression, with the same limits and grammar as parsed text.
 * @internal Used by `symbolic.ts`.
 */
export function expressionFromMathNode(
  node: MathNode,
  allowedSymbols: readonly string[],
  latexNames: Readonly<Record<string, string>>,
  field: string,
): ParsedExpression {
  const allowed = checkAllowedSymbols(allowedSymbols);
  // Size first: printing an oversized tree would already cost time.
  checkTreeSize(node, '(derived expression)', field);
  const source = node.toString();
  const context = newCompileContext(source, field, allowed);
  return buildExpression(node, source, context, allowedSymbols, latexNames);
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers

interface CompileContext {
  readonly text: string;
  readonly field: string;
  readonly allowed: ReadonlySet<string>;
  readonly symbolsInOrder: string[];
}

function newCompileContext(text: string, field: string, allowed: ReadonlySet<string>): CompileContext {
  return { text, field, allowed, symbolsInOrder: [] };
}

function buildExpression(
  mathNode: MathNode,
  source: string,
  context: CompileContext,
  allowedSymbols: readonly string[],
  latexNames: Readonly<Record<string, string>>,
): ParsedExpression {
  const symbolsBefore = new Set(context.symbolsInOrder);
  const sideContext: CompileContext = { ...context, symbolsInOrder: [] };
  const root = compileNode(mathNode, sideContext);
  for (const name of sideContext.symbolsInOrder) {
    if (!symbolsBefore.has(name)) context.symbolsInOrder.push(name);
  }

  const symbols = Object.freeze([...sideContext.symbolsInOrder]);
  const latex = renderLatex(mathNode, latexNames);
  const expression: ParsedExpression = Object.freeze({
    source,
    symbols,
    latex,
    evaluate(scope: Readonly<Record<string, number>>): number {
      checkScope(expression, scope);
      return evaluateNode(root, scope);
    },
  });
  internalsByExpression.set(expression, {
    root,
    mathNode,
    allowedSymbols: Object.freeze([...allowedSymbols]),
    latexNames: Object.freeze({ ...latexNames }),
  });
  return expression;
}

function checkAllowedSymbols(allowedSymbols: readonly string[]): ReadonlySet<string> {
  if (!Array.isArray(allowedSymbols)) {
    throw new InvalidInputError(
      'allowedSymbols',
      allowedSymbols,
      'must be an array of symbol names, e.g. ["n", "m", "delta"].',
    );
  }
  for (const name of allowedSymbols) {
    if (typeof name !== 'string' || !IDENTIFIER_PATTERN.test(name)) {
      throw new InvalidInputError(
        'allowedSymbols',
        name,
        `${formatValue(name)} is not a valid symbol name. Use letters, digits and underscores, ` +
          'starting with a letter or underscore.',
      );
    }
    if (isReservedName(name)) {
      throw new InvalidInputError(
        'allowedSymbols',
        name,
        `"${name}" is reserved (a function, a constant, a parser keyword or an object property ` +
          'name) and cannot name a symbol. Rename it, e.g. to ' +
          `"${name}_value".`,
      );
    }
  }
  return new Set(allowedSymbols);
}

function isReservedName(name: string): boolean {
  return (
    Object.hasOwn(ALLOWED_FUNCTIONS, name) ||
    Object.hasOwn(NAMED_CONSTANTS, name) ||
    PARSER_KEYWORDS.has(name) ||
    name in Object.prototype
  );
}

/** Checks the length and bracket depth of the text, then parses it with mathjs. */
function parseText(text: string, field: string): MathNode {
  if (typeof text !== 'string') {
    throw new InvalidInputError(field, text, `must be a string, got ${typeof text}.`);
  }
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionInputError(
      field,
      text,
      `is ${text.length} characters long, over the limit of ${MAX_EXPRESSION_LENGTH}. ` +
        'Shorten it, for example by measuring a repeated part as its own quantity.',
      MAX_EXPRESSION_LENGTH + 1,
      null,
    );
  }
  if (text.trim() === '') {
    throw new ExpressionInputError(field, text, 'is empty. Write an expression such as "2*m".', 1, null);
  }
  checkBracketDepth(text, field);

  try {
    return trustedMathjs.parse(text);
  } catch (error) {
    throw parseErrorToInputError(error, text, field);
  }
}

function checkBracketDepth(text: string, field: string): void {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '(' || character === '[' || character === '{') {
      depth++;
      if (depth > MAX_BRACKET_DEPTH) {
        throw new ExpressionInputError(
          field,
          text,
          `brackets nest more than ${MAX_BRACKET_DEPTH} levels deep at character ${index + 1}. ` +
            'Remove redundant parentheses or split the expression.',
          index + 1,
          character,
        );
      }
    } else if (character === ')' || character === ']' || character === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
}

function parseErrorToInputError(error: unknown, text: string, field: string): InvalidInputError {
  if (error instanceof RangeError) {
    // The mathjs parser recurses per nesting level, so a long chain of unary operators or
    // powers can still exhaust the stack below the bracket limit.
    return new ExpressionInputError(
      field,
      text,
      'nests too deeply for the parser. Simplify chains of unary signs or powers.',
      null,
      null,
    );
  }
  if (error instanceof Error) {
    const charProperty = (error as { char?: unknown }).char;
    const fromMessage = /\(char (\d+)\)/.exec(error.message);
    let position: number | null = null;
    if (typeof charProperty === 'number') position = charProperty;
    else if (fromMessage !== null) position = Number(fromMessage[1]);
    const reason = error.message.replace(/\s*\(char \d+\)\s*$/, '');
    const where = position === null ? '' : ` at character ${position}`;
    return new ExpressionInputError(
      field,
      text,
      `invalid syntax${where}: ${reason}. Check brackets and operators near that position.`,
      position,
      null,
    );
  }
  return new ExpressionInputError(field, text, `could not be parsed: ${String(error)}.`, null, null);
}

/** Counts nodes and measures depth without recursion, so a huge tree cannot exhaust the stack. */
function checkTreeSize(root: MathNode, text: string, field: string): void {
  let nodeCount = 0;
  const pending: Array<{ node: MathNode; depth: number }> = [{ node: root, depth: 1 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    nodeCount++;
    if (nodeCount > MAX_NODE_COUNT) {
      throw new ExpressionInputError(
        field,
        text,
        `has more than ${MAX_NODE_COUNT} syntax-tree nodes. Shorten it.`,
        null,
        null,
      );
    }
    if (depth > MAX_TREE_DEPTH) {
      throw new ExpressionInputError(
        field,
        text,
        `nests more than ${MAX_TREE_DEPTH} levels deep. A long sum or product counts one level ` +
          'per term: group terms with parentheses, e.g. (a + b) + (c + d).',
        null,
        null,
      );
    }
    node.forEach((child: MathNode) => {
      pending.push({ node: child, depth: depth + 1 });
    });
  }
}

function relationOfRoot(root: MathNode, text: string, field: string): Relation {
  if (root.type === 'RelationalNode') {
    const matches = [...text.matchAll(/<=|>=|==|!=|<|>/g)];
    const second = matches[1];
    const position = second?.index !== undefined ? second.index + 1 : null;
    throw new ExpressionInputError(
      field,
      text,
      `chains several comparisons${position === null ? '' : ` (the second, "${second![0]}", is at character ${position})`}. ` +
        'Write one relation per statement, e.g. split "a <= b <= c" into "a <= b" and "b <= c".',
      position,
      second?.[0] ?? null,
    );
  }
  if (root.type === 'OperatorNode') {
    const operator = root as OperatorNode;
    const relationByFn: Record<string, Relation> = {
      smallerEq: '<=',
      smaller: '<',
      largerEq: '>=',
      larger: '>',
    };
    if (Object.hasOwn(relationByFn, operator.fn)) return relationByFn[operator.fn]!;
    if (operator.fn === 'equal' || operator.fn === 'unequal') {
      const position = findToken(text, operator.op);
      throw new ExpressionInputError(
        field,
        text,
        `uses "${operator.op}"${atPosition(position)}, but a bound needs an inequality. ` +
          'Use one of <=, <, >=, >.',
        position,
        operator.op,
      );
    }
  }
  throw new ExpressionInputError(
    field,
    text,
    'has no relation at the top level. Write "lhs <= rhs", "lhs < rhs", "lhs >= rhs" or "lhs > rhs".',
    null,
    null,
  );
}

// ---------------------------------------------------------------------------------------------
// Validation and conversion into bitbound's tree

const BINARY_OPERATOR_BY_FN: Readonly<Record<string, BinaryOperator>> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
  pow: '^',
};

const GRAMMAR_HINT =
  'Expressions may use numbers, the allowed symbols, + - * / ^ and the functions ' +
  `${ALLOWED_FUNCTION_LIST}.`;

function compileNode(node: MathNode, context: CompileContext): ExpressionNode {
  switch (node.type) {
    case 'ConstantNode':
      return compileConstant(node, context);
    case 'SymbolNode':
      return compileSymbol(node as SymbolNode, context);
    case 'ParenthesisNode':
      return compileNode((node as ParenthesisNode).content, context);
    case 'OperatorNode':
      return compileOperator(node as OperatorNode, context);
    case 'FunctionNode':
      return compileCall(node as FunctionNode<MathNode>, context);
    default:
      throw rejectConstruct(node, context);
  }
}

function compileConstant(node: MathNode, context: CompileContext): ExpressionNode {
  const value: unknown = (node as { value?: unknown }).value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { kind: 'constant', value, origin: node };
  }
  if (typeof value === 'string') {
    const position = firstPositionOf(context.text, ['"', "'"]);
    throw inputError(
      context,
      `contains the string ${JSON.stringify(value)}${atPosition(position)}. Strings are not allowed. ${GRAMMAR_HINT}`,
      position,
      JSON.stringify(value),
    );
  }
  if (typeof value === 'number') {
    const position = findNonFiniteLiteral(context.text);
    throw inputError(
      context,
      `contains the non-finite number ${String(value)}${atPosition(position)}. Use a finite number.`,
      position,
      String(value),
    );
  }
  const token = String(value);
  const position = findIdentifier(context.text, token);
  throw inputError(
    context,
    `contains the literal ${token}${atPosition(position)}, which is not a number. ${GRAMMAR_HINT}`,
    position,
    token,
  );
}

function compileSymbol(node: SymbolNode, context: CompileContext): ExpressionNode {
  const name = node.name;
  if (Object.hasOwn(NAMED_CONSTANTS, name)) {
    const constantName = name as NamedConstantName;
    return { kind: 'namedConstant', name: constantName, value: NAMED_CONSTANTS[constantName], origin: node };
  }
  if (context.allowed.has(name)) {
    if (!context.symbolsInOrder.includes(name)) context.symbolsInOrder.push(name);
    return { kind: 'symbol', name, origin: node };
  }

  const position = findIdentifier(context.text, name);
  const allowedList = context.allowed.size > 0 ? [...context.allowed].join(', ') : '(none)';
  let hint = `Allowed symbols are ${allowedList}, plus the constants pi and e.`;
  if (Object.hasOwn(ALLOWED_FUNCTIONS, name)) {
    hint = `"${name}" is a function: call it with parentheses, e.g. ${name}(x).`;
  } else if (trustedMathjs.isValuelessUnit(name)) {
    hint = `Units such as "${name}" are not supported: use plain numbers. ${hint}`;
  }
  throw inputError(context, `uses the unknown symbol "${name}"${atPosition(position)}. ${hint}`, position, name);
}

function compileOperator(node: OperatorNode, context: CompileContext): ExpressionNode {
  if ((node as { isPercentage?: boolean }).isPercentage === true) {
    const position = findToken(context.text, '%');
    throw inputError(
      context,
      `uses "%"${atPosition(position)}. Percent signs are not allowed: write 0.05 for 5%.`,
      position,
      '%',
    );
  }

  if (node.args.length === 1 && (node.fn === 'unaryMinus' || node.fn === 'unaryPlus')) {
    const operand = compileNode(node.args[0]!, context);
    return node.fn === 'unaryMinus' ? { kind: 'negate', operand, origin: node } : operand;
  }

  const operator = BINARY_OPERATOR_BY_FN[node.fn];
  if (operator !== undefined && node.args.length === 2) {
    const left = compileNode(node.args[0]!, context);
    const right = compileNode(node.args[1]!, context);
    return { kind: 'binary', operator, left, right, origin: node };
  }

  const position = findToken(context.text, node.op);
  const isComparison = ['smaller', 'smallerEq', 'larger', 'largerEq', 'equal', 'unequal'].includes(node.fn);
  const reason = isComparison
    ? 'A comparison may appear only once, at the top level of a statement.'
    : GRAMMAR_HINT;
  throw inputError(
    context,
    `uses the operator "${node.op}"${atPosition(position)}, which is not allowed. ${reason}`,
    position,
    node.op,
  );
}

function compileCall(node: FunctionNode<MathNode>, context: CompileContext): ExpressionNode {
  if (node.fn.type !== 'SymbolNode') {
    // A call of anything but a plain name, such as `a.b(1)` or `f(1)(2)` read by mathjs as a
    // call of a call, would need property access or function values.
    throw rejectConstruct(node.fn, context);
  }
  const name = (node.fn as SymbolNode).name;
  const position = findIdentifier(context.text, name, true);
  if (!Object.hasOwn(ALLOWED_FUNCTIONS, name)) {
    const multiplicationHint = context.allowed.has(name)
      ? ` To multiply, write "${name} * (...)" instead of "${name}(...)".`
      : '';
    throw inputError(
      context,
      `calls the function "${name}"${atPosition(position)}, which is not allowed.` +
        `${multiplicationHint} Allowed functions are ${ALLOWED_FUNCTION_LIST}.`,
      position,
      name,
    );
  }

  const functionName = name as AllowedFunctionName;
  const arity: FunctionArity = ALLOWED_FUNCTIONS[functionName];
  const argumentCount = node.args.length;
  if (argumentCount < arity.minArgs || argumentCount > arity.maxArgs) {
    throw inputError(
      context,
      `calls ${name}${atPosition(position)} with ${argumentCount} argument(s), but ${name} takes ` +
        `${describeArity(arity)}.`,
      position,
      name,
    );
  }
  const args = node.args.map((argument) => compileNode(argument, context));
  return { kind: 'call', name: functionName, args, origin: node };
}

function describeArity(arity: FunctionArity): string {
  if (arity.maxArgs === Number.POSITIVE_INFINITY) return `at least ${arity.minArgs}`;
  if (arity.minArgs === arity.maxArgs) return `exactly ${arity.minArgs}`;
  return `${arity.minArgs} to ${arity.maxArgs}`;
}

/** Builds the error for a node type outside the grammar, naming the construct and its token. */
function rejectConstruct(node: MathNode, context: CompileContext): ExpressionInputError {
  const text = context.text;
  let description: string;
  let token: string | null;
  let position: number | null;
  switch (node.type) {
    case 'AccessorNode': {
      const accessor = node as AccessorNode;
      const dimension = accessor.index.dimensions[0] as { value?: unknown } | undefined;
      const propertyName = typeof dimension?.value === 'string' ? dimension.value : null;
      if (accessor.index.dotNotation && propertyName !== null) {
        token = propertyName;
        position = findTokenAfter(text, `.${propertyName}`, 1);
        description = `property access ".${propertyName}"`;
      } else {
        token = propertyName ?? '[';
        position = findToken(text, '[');
        description = propertyName === null ? 'indexing "[...]"' : `property access ["${propertyName}"]`;
      }
      break;
    }
    case 'IndexNode':
      token = '[';
      position = findToken(text, '[');
      description = 'indexing "[...]"';
      break;
    case 'AssignmentNode': {
      const name = (node as AssignmentNode).name ?? '=';
      token = name;
      position = findAssignment(text);
      description = `the assignment to "${name}"`;
      break;
    }
    case 'FunctionAssignmentNode': {
      const name = (node as FunctionAssignmentNode).name;
      token = name;
      position = findIdentifier(text, name, true);
      description = `the function definition "${name}(...) = ..."`;
      break;
    }
    case 'ObjectNode':
      token = '{';
      position = findToken(text, '{');
      description = 'an object literal "{...}"';
      break;
    case 'ArrayNode':
      token = '[';
      position = findToken(text, '[');
      description = 'a matrix literal "[...]"';
      break;
    case 'RangeNode':
      token = ':';
      position = findToken(text, ':');
      description = 'a range "a:b"';
      break;
    case 'BlockNode':
      token = /;/.test(text) ? ';' : '\n';
      position = findToken(text, token);
      description = 'several expressions separated by ";" or a line break';
      break;
    case 'ConditionalNode':
      token = '?';
      position = findToken(text, '?');
      description = 'a conditional "a ? b : c" (use min, max, abs or sign for piecewise bounds)';
      break;
    case 'RelationalNode':
      token = null;
      position = null;
      description = 'a chain of comparisons';
      break;
    default:
      token = null;
      position = null;
      description = `a ${node.type}`;
  }
  return inputError(
    context,
    `contains ${description}${atPosition(position)}, which is not allowed. ${GRAMMAR_HINT}`,
    position,
    token,
  );
}

function inputError(
  context: CompileContext,
  message: string,
  position: number | null,
  token: string | null,
): ExpressionInputError {
  return new ExpressionInputError(context.field, context.text, message, position, token);
}

function atPosition(position: number | null): string {
  return position === null ? '' : ` at character ${position}`;
}

// ---------------------------------------------------------------------------------------------
// Locating tokens in the text. mathjs nodes carry no positions, so errors search the text for
// the first occurrence of the offending token. When the token occurs several times, the
// position may point at an earlier, valid occurrence. Positions are 1-based, like mathjs's
// "(char N)".

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function findIdentifier(text: string, name: string, followedByParenthesis = false): number | null {
  const lookahead = followedByParenthesis ? '(?=\\s*\\()' : '';
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}_$.])${escapeRegExp(name)}(?![\\p{L}\\p{N}_$])${lookahead}`,
    'u',
  );
  const match = pattern.exec(text);
  if (match !== null) return match.index + 1;
  return followedByParenthesis ? findIdentifier(text, name, false) : findToken(text, name);
}

function findToken(text: string, token: string): number | null {
  const index = text.indexOf(token);
  return index < 0 ? null : index + 1;
}

function findTokenAfter(text: string, token: string, offsetInToken: number): number | null {
  const index = text.indexOf(token);
  return index < 0 ? null : index + 1 + offsetInToken;
}

function firstPositionOf(text: string, tokens: readonly string[]): number | null {
  const positions = tokens.map((token) => findToken(text, token)).filter((p): p is number => p !== null);
  return positions.length === 0 ? null : Math.min(...positions);
}

function findAssignment(text: string): number | null {
  const match = /(?<![<>=!])=(?!=)/.exec(text);
  return match === null ? null : match.index + 1;
}

function findNonFiniteLiteral(text: string): number | null {
  const keyword = /(?<![\p{L}\p{N}_$])(NaN|Infinity)(?![\p{L}\p{N}_$])/u.exec(text);
  if (keyword !== null) return keyword.index + 1;
  for (const match of text.matchAll(/\d[\d.]*(?:[eE][+-]?\d+)?/g)) {
    if (!Number.isFinite(Number(match[0]))) return match.index + 1;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/**
 * Float64 implementations of the allowed functions. `log(x, b)` is ln(x) / ln(b), as in mathjs.
 */
const NUMERIC_FUNCTIONS: Readonly<Record<AllowedFunctionName, (args: readonly number[]) => number>> = {
  sqrt: (args) => Math.sqrt(args[0]!),
  log: (args) => (args.length === 2 ? Math.log(args[0]!) / Math.log(args[1]!) : Math.log(args[0]!)),
  log2: (args) => Math.log2(args[0]!),
  log10: (args) => Math.log10(args[0]!),
  exp: (args) => Math.exp(args[0]!),
  abs: (args) => Math.abs(args[0]!),
  min: (args) => Math.min(...args),
  max: (args) => Math.max(...args),
  floor: (args) => Math.floor(args[0]!),
  ceil: (args) => Math.ceil(args[0]!),
  sin: (args) => Math.sin(args[0]!),
  cos: (args) => Math.cos(args[0]!),
  tan: (args) => Math.tan(args[0]!),
  atan: (args) => Math.atan(args[0]!),
  acos: (args) => Math.acos(args[0]!),
  asin: (args) => Math.asin(args[0]!),
  tanh: (args) => Math.tanh(args[0]!),
  sign: (args) => Math.sign(args[0]!),
  cbrt: (args) => Math.cbrt(args[0]!),
  pow: (args) => Math.pow(args[0]!, args[1]!),
};

function applyBinary(operator: BinaryOperator, left: number, right: number): number {
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '^':
      return Math.pow(left, right);
  }
}

/** Evaluates a tree. The caller has checked that `scope` has a number for every symbol. */
function evaluateNode(node: ExpressionNode, scope: Readonly<Record<string, number>>): number {
  switch (node.kind) {
    case 'constant':
    case 'namedConstant':
      return node.value;
    case 'symbol':
      return scope[node.name]!;
    case 'negate':
      return -evaluateNode(node.operand, scope);
    case 'binary':
      return applyBinary(node.operator, evaluateNode(node.left, scope), evaluateNode(node.right, scope));
    case 'call':
      return NUMERIC_FUNCTIONS[node.name](node.args.map((argument) => evaluateNode(argument, scope)));
  }
}

function evaluateNodeRecordingNonFinite(
  node: ExpressionNode,
  scope: Readonly<Record<string, number>>,
  found: NonFiniteTerm[],
): number {
  let operands: number[];
  let value: number;
  switch (node.kind) {
    case 'constant':
    case 'namedConstant':
      return node.value;
    case 'symbol':
      operands = [];
      value = scope[node.name]!;
      break;
    case 'negate':
      operands = [evaluateNodeRecordingNonFinite(node.operand, scope, found)];
      value = -operands[0]!;
      break;
    case 'binary':
      operands = [
        evaluateNodeRecordingNonFinite(node.left, scope, found),
        evaluateNodeRecordingNonFinite(node.right, scope, found),
      ];
      value = applyBinary(node.operator, operands[0]!, operands[1]!);
      break;
    case 'call':
      operands = node.args.map((argument) => evaluateNodeRecordingNonFinite(argument, scope, found));
      value = NUMERIC_FUNCTIONS[node.name](operands);
      break;
  }
  if (!Number.isFinite(value) && operands.every(Number.isFinite)) {
    const subexpression = node.origin.toString();
    if (!found.some((term) => term.subexpression === subexpression)) found.push({ subexpression, value });
  }
  return value;
}

function checkScope(expression: ParsedExpression, scope: Readonly<Record<string, number>>): void {
  if (scope === null || typeof scope !== 'object') {
    throw new InvalidInputError(
      'scope',
      scope,
      `must be an object mapping each symbol of "${expression.source}" to a number.`,
    );
  }
  for (const name of expression.symbols) {
    if (!Object.hasOwn(scope, name)) {
      throw new InvalidInputError(
        'scope',
        name,
        `symbol "${name}" has no value. The expression "${expression.source}" uses ` +
          `${expression.symbols.join(', ')}. Pass a number for each.`,
      );
    }
    const value: unknown = scope[name];
    if (typeof value !== 'number') {
      throw new InvalidInputError(
        'scope',
        value,
        `symbol "${name}" must be a number, got ${formatValue(value)} (${typeof value}).`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LaTeX

const GREEK_LETTERS = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta',
  'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi',
  'varphi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma',
  'Upsilon', 'Phi', 'Psi', 'Omega',
]);

const LATEX_OPERATOR_NAMES = new Set(['min', 'max', 'sup', 'inf', 'log', 'exp', 'det']);

/**
 * Renders a validated tree with mathjs toTex, symbols through {@link symbolToLatex}.
 *
 * mathjs 15.2's FunctionNode renders its arguments twice (once to a discarded list, once
 * through its template), so nested calls cost 2^depth: 16 nested sqrt took 80 ms and 40
 * did not finish. The handler below renders each node once through mathjs's internal
 * `_toTex` and caches the result, which makes the cost linear. Every mathjs node passes the
 * same options object to its children, so one cache entry per node is correct.
 */
function renderLatex(root: MathNode, latexNames: Readonly<Record<string, string>>): string {
  const cache = new Map<MathNode, string>();
  const handler = (node: MathNode, options: object): string => {
    const cached = cache.get(node);
    if (cached !== undefined) return cached;
    const latex =
      node.type === 'SymbolNode'
        ? // Braces keep a symbol from fusing with a preceding command: `2\cdot{m}`, not `2\cdotm`.
          `{${symbolToLatex((node as SymbolNode).name, latexNames)}}`
        : (node as unknown as { _toTex(options: object): string })._toTex(options);
    cache.set(node, latex);
    return latex;
  };
  return root.toTex({ parenthesis: 'auto', handler });
}

/**
 * Renders a symbol name as LaTeX. A name in `latexNames` gets its custom rendering. Otherwise
 * the name is split at underscores: the first part is the base and the others form a
 * comma-separated subscript. Greek letter names become commands (`kappa` -> `\kappa`),
 * `min`/`max` become `\min`/`\max`, a trailing number becomes a subscript (`H0` -> `H_{0}`),
 * and other words of several letters become `\mathrm{...}`.
 * Example: `lambda_min_H0` -> `\lambda_{\min,H_{0}}`.
 */
export function symbolToLatex(name: string, latexNames: Readonly<Record<string, string>> = {}): string {
  if (Object.hasOwn(latexNames, name)) return latexNames[name]!;
  if (name === 'pi') return '\\pi';
  if (name === 'e') return 'e';
  const parts = name.split('_').filter((part) => part !== '');
  if (parts.length === 0) return `\\mathrm{${name.replace(/_/g, '\\_')}}`;
  const base = namePartToLatex(parts[0]!);
  const subscripts = parts.slice(1).map(namePartToLatex);
  return subscripts.length === 0 ? base : `${base}_{${subscripts.join(',')}}`;
}

function namePartToLatex(part: string): string {
  if (GREEK_LETTERS.has(part)) return `\\${part}`;
  if (LATEX_OPERATOR_NAMES.has(part)) return `\\${part}`;
  const withIndex = /^([A-Za-z]+)(\d+)$/.exec(part);
  if (withIndex !== null) return `${namePartToLatex(withIndex[1]!)}_{${withIndex[2]}}`;
  if (/^[A-Za-z]$/.test(part) || /^\d+$/.test(part)) return part;
  return `\\mathrm{${part}}`;
}
