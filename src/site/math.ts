/**
 * Math of the theorem pages: LaTeX for claim statements, hypotheses and symbols, typeset to
 * HTML with KaTeX at build time, so the pages need no script to show math.
 *
 * Statements are parsed again from the expression text of the report with `parseStatement`,
 * and every symbol gets its LaTeX from the symbol table wrapped in braces. The braces keep a
 * symbol apart from the LaTeX command before it: mathjs 15.2 writes a product as
 * `a\cdot b` with no space, so an unbraced `m` after it would read as the unknown command
 * `\cdotm`.
 */
import katex from 'katex';
import { ALLOWED_FUNCTIONS, NAMED_CONSTANTS, parseExpression, parseStatement, symbolToLatex } from '../claims/expression.js';
import { MEASURED_SYMBOLS, findSymbol } from '../claims/symbols.js';

/** A fitted exponent as far as the pages need it: its symbol and what it is a slope of. */
export interface ExponentSymbol {
  readonly symbol: string;
  readonly of: string;
  readonly against: string;
  readonly description: string;
}

/** A statement of a claim as the report stores it. */
export interface StatementText {
  readonly kind: string;
  readonly expression: string;
}

/** LaTeX of a statement or hypothesis, with the symbols it uses, in order of first use. */
export interface TypesetSource {
  readonly latex: string;
  readonly symbols: readonly string[];
}

/** KaTeX output of one formula, or the plain expression when KaTeX rejected the LaTeX. */
export interface RenderedMath {
  readonly html: string;
  /** KaTeX's error message when the formula fell back to plain text, else null. */
  readonly error: string | null;
}

/**
 * Renders LaTeX to HTML with KaTeX (`katex.renderToString`, HTML and MathML output). Errors
 * are thrown, never drawn in red, and KaTeX's strict mode rejects non-standard input, so
 * a bad formula shows up at build time. On such an error the result contains the plain
 * `fallbackText` in a `<code>` element, and the message. Cost: linear in the LaTeX length.
 */
export function renderMath(latex: string, displayMode: boolean, fallbackText: string): RenderedMath {
  try {
    const html = katex.renderToString(latex, { displayMode, throwOnError: true, strict: 'error', output: 'htmlAndMathml', trust: false });
    return { html, error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { html: `<code class="math-fallback">${escapeText(fallbackText)}</code>`, error: message };
  }
}

/**
 * Returns LaTeX for a fitted exponent: the log-log slope of its quantity against width m or
 * parameter count N, written `\operatorname{slope}_m[Q]`.
 */
export function exponentLatex(exponent: ExponentSymbol): string {
  const quantity = findSymbol(exponent.of)?.latex ?? symbolToLatex(exponent.of);
  const against = findSymbol(exponent.against)?.latex ?? symbolToLatex(exponent.against);
  return `\\operatorname{slope}_{${against}}\\!\\left[${quantity}\\right]`;
}

/**
 * Returns the LaTeX of a statement of any kind, parsed from its expression text:
 * `bound` and `rate` statements are inequalities, `rate-target` reads `slope = target`, and
 * `overlap` reads `slope_a ~ slope_b` and is typeset with `\approx`.
 * Throws the parser's InvalidInputError when the text does not parse.
 */
export function statementLatex(statement: StatementText, exponents: readonly ExponentSymbol[]): TypesetSource {
  const { allowed, latexNames } = symbolContext(statement.expression, exponents);
  let splitAt: '=' | '~' | null = null;
  if (statement.kind === 'rate-target') splitAt = '=';
  if (statement.kind === 'overlap') splitAt = '~';
  if (splitAt === null) {
    const parsed = parseStatement(statement.expression, allowed, { latexNames, field: 'statement' });
    return { latex: parsed.latex, symbols: parsed.symbols };
  }

  const index = statement.expression.indexOf(splitAt);
  if (index < 0) {
    // Reuse the parser's error message for text without the expected relation.
    parseStatement(statement.expression, allowed, { latexNames, field: 'statement' });
  }
  const lhs = parseExpression(statement.expression.slice(0, index), allowed, { latexNames, field: 'statement' });
  const rhs = parseExpression(statement.expression.slice(index + 1), allowed, { latexNames, field: 'statement' });
  const relation = splitAt === '=' ? '=' : '\\approx';
  return { latex: `${lhs.latex} ${relation} ${rhs.latex}`, symbols: uniqueInOrder([...lhs.symbols, ...rhs.symbols]) };
}

/** Returns the LaTeX of a hypothesis, an inequality over measured symbols. */
export function hypothesisLatex(expression: string, exponents: readonly ExponentSymbol[]): TypesetSource {
  const { allowed, latexNames } = symbolContext(expression, exponents);
  const parsed = parseStatement(expression, allowed, { latexNames, field: 'hypothesis' });
  return { latex: parsed.latex, symbols: parsed.symbols };
}

/** Returns the LaTeX of one symbol: a measured symbol, a fitted exponent, or the default rendering. */
export function symbolLatex(name: string, exponents: readonly ExponentSymbol[]): string {
  const exponent = exponents.find((entry) => entry.symbol === name);
  if (exponent !== undefined) return exponentLatex(exponent);
  return findSymbol(name)?.latex ?? symbolToLatex(name);
}

/**
 * Symbols a statement may use on a page: the measured symbols, the claim's exponents, and any
 * other identifier of the text that is not a function or constant. The last group covers an
 * exponent whose fit is missing from the report; it gets the default LaTeX of its name.
 */
function symbolContext(text: string, exponents: readonly ExponentSymbol[]): { allowed: string[]; latexNames: Record<string, string> } {
  const identifiers = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)]
    .map((match) => match[0])
    .filter((name) => !Object.hasOwn(ALLOWED_FUNCTIONS, name) && !Object.hasOwn(NAMED_CONSTANTS, name));
  const allowed = uniqueInOrder([...MEASURED_SYMBOLS.map((symbol) => symbol.name), ...exponents.map((exponent) => exponent.symbol), ...identifiers]);
  const latexNames: Record<string, string> = {};
  // The expression layer braces every symbol, so `2\cdot{m}` cannot fuse into one command.
  for (const name of allowed) latexNames[name] = symbolLatex(name, exponents);
  return { allowed, latexNames };
}

function uniqueInOrder(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
