import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import {
  ExpressionInputError,
  MAX_BRACKET_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_NODE_COUNT,
  MAX_TREE_DEPTH,
  evaluateStatement,
  findNonFiniteSubexpressions,
  parseExpression,
  parseStatement,
  symbolToLatex,
  trustedMathjs,
} from '../../src/claims/expression.js';

/**
 * Relative tolerance for values that the evaluator and the hand computation reach by the
 * same few float64 operations: a handful of roundings, far below 1e-12.
 */
const SAME_OPERATIONS_RELATIVE_TOLERANCE = 1e-12;

const K1_SYMBOLS = ['lambda_min_H0', 'lambda', 'n', 'kappa', 'delta', 'm'] as const;
const K1_DEVIATION = 'n * kappa^2 * sqrt(log(n*(n+1)/delta) / (2*m))';
const K1_STATEMENT = `lambda_min_H0 >= lambda - ${K1_DEVIATION}`;

function expectClose(actual: number, expected: number, relativeTolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relativeTolerance * Math.abs(expected));
}

/** Runs `action`, expects an ExpressionInputError and returns it. */
function captureExpressionError(action: () => unknown): ExpressionInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionInputError);
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as ExpressionInputError;
  }
  throw new Error('expected an ExpressionInputError, but nothing was thrown');
}

describe('parseExpression', () => {
  describe('evaluation', () => {
    it('computes the K1 square-root term by hand', () => {
      // n = 4, delta = 0.1, m = 100: n(n+1)/delta = 20 / 0.1 = 200 and 2m = 200, so the value
      // is sqrt(log(200) / 200). log(200) = log(2) + 2 log(10) = 0.693147 + 4.605170 = 5.298317,
      // 5.298317 / 200 = 0.02649159, and its square root is 0.1627624.
      const term = parseExpression('sqrt(log(n*(n+1)/delta)/(2*m))', ['n', 'delta', 'm']);
      const value = term.evaluate({ n: 4, delta: 0.1, m: 100 });
      expectClose(value, Math.sqrt(Math.log(200) / 200), SAME_OPERATIONS_RELATIVE_TOLERANCE);
      expect(value).toBeCloseTo(0.1627624, 7);
    });

    it('lists symbols in order of first appearance', () => {
      const expression = parseExpression(K1_DEVIATION, K1_SYMBOLS);
      expect(expression.symbols).toEqual(['n', 'kappa', 'delta', 'm']);
    });

    it('evaluates operators, precedence and implicit multiplication', () => {
      const cases: Array<[string, number]> = [
        ['1 + 2 * 3', 7],
        ['(1 + 2) * 3', 9],
        ['2^3^2', 512], // right associative: 2^(3^2)
        ['-2^2', -4], // unary minus binds weaker than ^
        ['+x - -x', 6],
        ['2 x', 6],
        ['7 / 2', 3.5],
        ['0x10', 16],
        ['1e-3 * 1000', 1],
      ];
      for (const [text, expected] of cases) {
        expect(parseExpression(text, ['x']).evaluate({ x: 3 }), text).toBe(expected);
      }
    });

    it('evaluates every allowed function', () => {
      const cases: Array<[string, number]> = [
        ['sqrt(16)', 4],
        ['log(e)', 1],
        ['log(8, 2)', Math.log(8) / Math.log(2)],
        ['log2(8)', 3],
        ['log10(1000)', 3],
        ['exp(0)', 1],
        ['abs(-3)', 3],
        ['min(3, 1, 2)', 1],
        ['max(3, 1, 2)', 3],
        ['floor(2.7)', 2],
        ['ceil(2.1)', 3],
        ['sin(pi / 2)', 1],
        ['cos(0)', 1],
        ['tan(0)', 0],
        ['atan(1)', Math.PI / 4],
        ['acos(1)', 0],
        ['asin(1)', Math.PI / 2],
        ['tanh(0)', 0],
        ['sign(-5)', -1],
        ['cbrt(-27)', -3],
        ['pow(2, 10)', 1024],
      ];
      for (const [text, expected] of cases) {
        expect(parseExpression(text, []).evaluate({}), text).toBe(expected);
      }
    });

    it('follows JavaScript outside the domain', () => {
      expect(parseExpression('sqrt(x)', ['x']).evaluate({ x: -1 })).toBeNaN();
      expect(parseExpression('log(x)', ['x']).evaluate({ x: -1 })).toBeNaN();
      expect(parseExpression('1 / x', ['x']).evaluate({ x: 0 })).toBe(Number.POSITIVE_INFINITY);
    });

    it('rejects a scope missing a symbol', () => {
      const expression = parseExpression('a + b', ['a', 'b']);
      let caught: unknown;
      try {
        expression.evaluate({ a: 1 });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidInputError);
      expect((caught as InvalidInputError).message).toContain('"b"');
    });

    it('ignores inherited scope properties', () => {
      const expression = parseExpression('a', ['a']);
      const inherited = Object.create({ a: 1 }) as Record<string, number>;
      expect(() => expression.evaluate(inherited)).toThrow(InvalidInputError);
    });

    it('rejects a non-number scope value', () => {
      const expression = parseExpression('a', ['a']);
      const scope = { a: '1' } as unknown as Record<string, number>;
      expect(() => expression.evaluate(scope)).toThrow(/must be a number/);
    });
  });

  describe('rejection of unsafe input', () => {
    const symbols = ['a', 'x'];
    const cases: Array<{ text: string; token: string; position: number }> = [
      { text: 'import({}, {})', token: 'import', position: 1 },
      { text: 'evaluate("1")', token: 'evaluate', position: 1 },
      { text: 'createUnit("x")', token: 'createUnit', position: 1 },
      { text: 'parse("1")', token: 'parse', position: 1 },
      { text: 'simplify("x")', token: 'simplify', position: 1 },
      { text: 'derivative("x", "x")', token: 'derivative', position: 1 },
      { text: 'f(x) = 1', token: 'f', position: 1 },
      { text: 'a.constructor', token: 'constructor', position: 3 },
      { text: 'a["constructor"]', token: 'constructor', position: 2 },
      { text: '__proto__', token: '__proto__', position: 1 },
      { text: 'a + constructor', token: 'constructor', position: 5 },
      { text: '[1,2]', token: '[', position: 1 },
      { text: '{a: 1}', token: '{', position: 1 },
      { text: '"str"', token: '"str"', position: 1 },
      { text: '1 cm', token: 'cm', position: 3 },
      { text: 'x = 3', token: 'x', position: 3 },
      { text: 'a; x', token: ';', position: 2 },
      { text: '1:3', token: ':', position: 2 },
      { text: 'a ? x : 1', token: '?', position: 3 },
      { text: 'a == x', token: '==', position: 3 },
      { text: 'x + (a <= 1)', token: '<=', position: 8 },
      { text: 'a!', token: '!', position: 2 },
      { text: '5%', token: '%', position: 2 },
      { text: 'a mod x', token: 'mod', position: 3 },
      { text: 'true', token: 'true', position: 1 },
      { text: 'NaN', token: 'NaN', position: 1 },
      { text: 'x * Infinity', token: 'Infinity', position: 5 },
      { text: '1e400', token: 'Infinity', position: 1 },
      { text: 'x.y(1)', token: 'y', position: 3 },
    ];
    for (const { text, token, position } of cases) {
      it(`rejects ${JSON.stringify(text)}`, () => {
        const error = captureExpressionError(() => parseExpression(text, symbols));
        expect(error.token).toBe(token);
        expect(error.position).toBe(position);
        expect(error.message).toContain(`character ${position}`);
        expect(error.field).toBe('expression');
      });
    }

    it('names units as unsupported', () => {
      const error = captureExpressionError(() => parseExpression('1 cm', symbols));
      expect(error.message).toContain('Units');
    });

    it('suggests multiplication for n(n+1)', () => {
      const error = captureExpressionError(() => parseExpression('log(n(n+1))', ['n']));
      expect(error.token).toBe('n');
      expect(error.position).toBe(5);
      expect(error.message).toContain('n * (...)');
    });

    it('rejects wrong argument counts', () => {
      expect(captureExpressionError(() => parseExpression('sqrt(a, x)', symbols)).message).toContain('exactly 1');
      expect(captureExpressionError(() => parseExpression('pow(a)', symbols)).message).toContain('exactly 2');
      expect(captureExpressionError(() => parseExpression('log(a, x, 2)', symbols)).message).toContain('1 to 2');
      expect(captureExpressionError(() => parseExpression('min()', symbols)).message).toContain('at least 1');
    });

    it('rejects a function name used as a symbol', () => {
      const error = captureExpressionError(() => parseExpression('sqrt + 1', symbols));
      expect(error.token).toBe('sqrt');
      expect(error.message).toContain('is a function');
    });

    it('uses the caller field name', () => {
      const error = captureExpressionError(() => parseExpression('b', symbols, { field: '--claim' }));
      expect(error.field).toBe('--claim');
      expect(error.message.startsWith('--claim: ')).toBe(true);
    });
  });

  describe('syntax errors', () => {
    it('reports the position mathjs gives', () => {
      const error = captureExpressionError(() => parseExpression('(a + x', ['a', 'x']));
      // The text has 6 characters; mathjs expects ")" at character 7.
      expect(error.position).toBe(7);
      expect(error.message).toContain('character 7');
    });

    it('reports a dangling operator', () => {
      const error = captureExpressionError(() => parseExpression('a + ', ['a']));
      expect(error.position).toBe(5);
      expect(error.message).toContain('invalid syntax');
    });

    it('rejects empty text', () => {
      expect(captureExpressionError(() => parseExpression('   ', [])).message).toContain('empty');
    });
  });

  describe('size limits', () => {
    it('rejects overlong input before parsing', () => {
      const text = 'a+'.repeat(MAX_EXPRESSION_LENGTH / 2) + 'a';
      expect(text.length).toBe(MAX_EXPRESSION_LENGTH + 1);
      const error = captureExpressionError(() => parseExpression(text, ['a']));
      expect(error.message).toContain(`over the limit of ${MAX_EXPRESSION_LENGTH}`);
    });

    it('rejects deep bracket nesting', () => {
      const depth = 100;
      const text = '('.repeat(depth) + 'a' + ')'.repeat(depth);
      const error = captureExpressionError(() => parseExpression(text, ['a']));
      expect(error.position).toBe(MAX_BRACKET_DEPTH + 1);
    });

    it('accepts nesting at the bracket limit', () => {
      const text = 'sqrt('.repeat(MAX_BRACKET_DEPTH) + 'a' + ')'.repeat(MAX_BRACKET_DEPTH);
      expect(parseExpression(text, ['a']).evaluate({ a: 1 })).toBe(1);
    });

    it('rejects a tree deeper than the depth limit', () => {
      const text = '-'.repeat(MAX_TREE_DEPTH + 5) + 'a';
      const error = captureExpressionError(() => parseExpression(text, ['a']));
      expect(error.message).toContain(`more than ${MAX_TREE_DEPTH} levels`);
    });

    it('rejects a tree with too many nodes', () => {
      // A balanced sum of 400 leaves, parenthesized at every level: 400 symbols, 399
      // additions and 399 parentheses make 1198 nodes, with brackets only 9 levels deep.
      const balancedSum = (leaves: number): string =>
        leaves === 1 ? 'a' : `(${balancedSum(Math.floor(leaves / 2))}+${balancedSum(Math.ceil(leaves / 2))})`;
      const text = balancedSum(400);
      expect(text.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
      const error = captureExpressionError(() => parseExpression(text, ['a']));
      expect(error.message).toContain(`more than ${MAX_NODE_COUNT} syntax-tree nodes`);
    });
  });

  describe('allowed symbols', () => {
    for (const name of ['sqrt', 'pi', 'e', 'constructor', '__proto__', 'toString', 'mod', '1x', 'a-b', '']) {
      it(`rejects the symbol name ${JSON.stringify(name)}`, () => {
        expect(() => parseExpression('1', [name])).toThrow(InvalidInputError);
      });
    }

    it('names the unknown symbol and lists the allowed ones', () => {
      const error = captureExpressionError(() => parseExpression('m + width', ['m', 'n']));
      expect(error.token).toBe('width');
      expect(error.position).toBe(5);
      expect(error.message).toContain('Allowed symbols are m, n');
    });
  });

  describe('LaTeX', () => {
    it('renders Greek symbols and functions', () => {
      const expression = parseExpression(K1_DEVIATION, K1_SYMBOLS);
      expect(expression.latex).toContain('\\kappa');
      expect(expression.latex).toContain('\\delta');
      expect(expression.latex).toContain('\\sqrt');
      expect(expression.latex).toContain('\\ln');
    });

    it('renders single-letter symbols without \\mathrm', () => {
      // mathjs would print m as \mathrm{m} because m is also the unit metre.
      const expression = parseExpression('2*m', ['m']);
      expect(expression.latex).not.toContain('mathrm');
    });

    it('uses custom names', () => {
      const expression = parseExpression('lambda_min_H0 + 1', ['lambda_min_H0'], {
        latexNames: { lambda_min_H0: '\\lambda_{\\min}(H_0)' },
      });
      expect(expression.latex).toContain('\\lambda_{\\min}(H_0)');
    });
  });

  describe('hardened mathjs instance', () => {
    for (const text of ['import({}, {})', 'evaluate("1+1")', 'createUnit("foo")', 'parse("1")', 'simplify("x")']) {
      it(`disables ${text.slice(0, text.indexOf('('))} for stray node evaluation`, () => {
        const node = trustedMathjs.parse(text);
        expect(() => node.evaluate()).toThrow(/disabled/);
      });
    }
  });
});

describe('symbolToLatex', () => {
  it('maps Greek names to commands', () => {
    for (const name of ['lambda', 'kappa', 'delta', 'eta', 'sigma']) {
      expect(symbolToLatex(name)).toBe(`\\${name}`);
    }
  });

  it('turns underscores into subscripts', () => {
    expect(symbolToLatex('lambda_min_H0')).toBe('\\lambda_{\\min,H_{0}}');
    expect(symbolToLatex('x_1')).toBe('x_{1}');
    expect(symbolToLatex('R_inf')).toBe('R_{\\inf}');
  });

  it('wraps words in \\mathrm', () => {
    expect(symbolToLatex('gap')).toBe('\\mathrm{gap}');
    expect(symbolToLatex('H0')).toBe('H_{0}');
  });
});

describe('parseStatement', () => {
  it('splits the K1 statement and renders it', () => {
    const statement = parseStatement(K1_STATEMENT, K1_SYMBOLS);
    expect(statement.relation).toBe('>=');
    expect(statement.lhs.source).toBe('lambda_min_H0');
    expect(statement.rhs.source).toBe(`lambda - ${K1_DEVIATION}`);
    expect(statement.symbols).toEqual(['lambda_min_H0', 'lambda', 'n', 'kappa', 'delta', 'm']);
    expect(statement.latex).toContain('\\sqrt');
    expect(statement.latex).toContain('\\kappa');
    expect(statement.latex).toContain('\\ge');
  });

  it('parses each relation', () => {
    const relations = ['<=', '<', '>=', '>'] as const;
    for (const relation of relations) {
      const statement = parseStatement(`a ${relation} b + 1`, ['a', 'b']);
      expect(statement.relation).toBe(relation);
      expect(statement.lhs.source).toBe('a');
      expect(statement.rhs.source).toBe('b + 1');
    }
    expect(parseStatement('a <= b', ['a', 'b']).latex).toContain('\\le');
  });

  it('accepts outer parentheses', () => {
    const statement = parseStatement('(a <= 2 * b)', ['a', 'b']);
    expect(statement.relation).toBe('<=');
    expect(statement.rhs.evaluate({ b: 3 })).toBe(6);
  });

  it('rejects chained relations with the second position', () => {
    const error = captureExpressionError(() => parseStatement('a <= b <= 1', ['a', 'b']));
    expect(error.position).toBe(8);
    expect(error.token).toBe('<=');
  });

  it('rejects equality', () => {
    const error = captureExpressionError(() => parseStatement('a == b', ['a', 'b']));
    expect(error.token).toBe('==');
    expect(error.message).toContain('inequality');
  });

  it('rejects text without a relation', () => {
    expect(captureExpressionError(() => parseStatement('a + b', ['a', 'b'])).message).toContain('no relation');
  });

  it('rejects unsafe constructs in a side', () => {
    const error = captureExpressionError(() => parseStatement('a <= import({}, {})', ['a']));
    expect(error.token).toBe('import');
    expect(error.position).toBe(6);
    expect(error.field).toBe('statement');
  });
});

describe('evaluateStatement', () => {
  it('computes margin and looseness for >=', () => {
    // x^2 + 1 >= 2x at x = 3: lhs 10, rhs 6, so small = 6, big = 10, margin 4, looseness 10/6.
    const result = evaluateStatement(parseStatement('x^2 + 1 >= 2*x', ['x']), { x: 3 });
    expect(result.lhs).toBe(10);
    expect(result.rhs).toBe(6);
    expect(result.margin).toBe(4);
    expect(result.looseness).toBe(10 / 6);
    expect(result.holds).toBe(true);
    expect(result.nonFinite).toEqual([]);
  });

  it('computes a negative margin for a violated <=', () => {
    // x^2 + 1 <= 2x at x = 3: small = lhs = 10, big = rhs = 6, margin -4, looseness 0.6.
    const result = evaluateStatement(parseStatement('x^2 + 1 <= 2*x', ['x']), { x: 3 });
    expect(result.margin).toBe(-4);
    expect(result.looseness).toBe(0.6);
    expect(result.holds).toBe(false);
  });

  it('breaks ties by strictness', () => {
    const scope = { a: 2, b: 2 };
    expect(evaluateStatement(parseStatement('a <= b', ['a', 'b']), scope).holds).toBe(true);
    expect(evaluateStatement(parseStatement('a >= b', ['a', 'b']), scope).holds).toBe(true);
    expect(evaluateStatement(parseStatement('a < b', ['a', 'b']), scope).holds).toBe(false);
    expect(evaluateStatement(parseStatement('a > b', ['a', 'b']), scope).holds).toBe(false);
  });

  it('normalizes strict relations', () => {
    const greater = evaluateStatement(parseStatement('a > b', ['a', 'b']), { a: 5, b: 2 });
    expect(greater.margin).toBe(3);
    expect(greater.looseness).toBe(2.5);
    expect(greater.holds).toBe(true);
    const smaller = evaluateStatement(parseStatement('a < b', ['a', 'b']), { a: 5, b: 2 });
    expect(smaller.margin).toBe(-3);
    expect(smaller.holds).toBe(false);
  });

  it('evaluates K1 at an informative width', () => {
    // m = 1e4, n = 4, kappa = 1, delta = 0.1: the deviation is 4 sqrt(log(200) / 20000)
    // = 4 * 0.01627624 = 0.06510495, so the rhs is 0.5 - 0.06510495 = 0.43489505.
    // With lambda_min_H0 = 0.48, margin = 0.04510495 and looseness = 0.48 / 0.43489505 = 1.103715.
    const statement = parseStatement(K1_STATEMENT, K1_SYMBOLS);
    const result = evaluateStatement(statement, {
      lambda_min_H0: 0.48,
      lambda: 0.5,
      n: 4,
      kappa: 1,
      delta: 0.1,
      m: 1e4,
    });
    expect(result.rhs).toBeCloseTo(0.43489505, 8);
    expect(result.margin).toBeCloseTo(0.04510495, 8);
    expect(result.looseness).toBeCloseTo(1.103715, 6);
    expect(result.holds).toBe(true);
  });

  it('gives no looseness for a vacuous K1 bound', () => {
    // At m = 100 the deviation 4 * 0.1627624 = 0.6510495 exceeds lambda = 0.5, so the rhs is
    // -0.1510495: the bound holds for any positive lambda_min_H0 and has no meaningful ratio.
    const statement = parseStatement(K1_STATEMENT, K1_SYMBOLS);
    const result = evaluateStatement(statement, {
      lambda_min_H0: 0.48,
      lambda: 0.5,
      n: 4,
      kappa: 1,
      delta: 0.1,
      m: 100,
    });
    expect(result.rhs).toBeCloseTo(-0.1510495, 7);
    expect(result.holds).toBe(true);
    expect(result.looseness).toBeNull();
  });

  it('reports a non-finite side and where it starts', () => {
    const result = evaluateStatement(parseStatement('y <= 1 + log(x)', ['x', 'y']), { x: -1, y: 0 });
    expect(result.holds).toBe(false);
    expect(result.looseness).toBeNull();
    expect(result.nonFinite).toEqual(['rhs']);
    expect(result.nonFiniteTerms.map((term) => term.subexpression)).toEqual(['log(x)']);
  });

  it('does not count an infinite bound as holding', () => {
    const result = evaluateStatement(parseStatement('y <= 1 / x', ['x', 'y']), { x: 0, y: 0 });
    expect(result.rhs).toBe(Number.POSITIVE_INFINITY);
    expect(result.holds).toBe(false);
    expect(result.nonFinite).toEqual(['rhs']);
  });
});

describe('findNonFiniteSubexpressions', () => {
  it('names the innermost non-finite terms', () => {
    const expression = parseExpression('sqrt(x) + log(y) + 1', ['x', 'y']);
    const terms = findNonFiniteSubexpressions(expression, { x: -1, y: 0 });
    expect(terms.map((term) => term.subexpression)).toEqual(['sqrt(x)', 'log(y)']);
    expect(terms[0]!.value).toBeNaN();
    expect(terms[1]!.value).toBe(Number.NEGATIVE_INFINITY);
  });

  it('names a division by zero', () => {
    const terms = findNonFiniteSubexpressions(parseExpression('2 + 1 / (x - 2)', ['x']), { x: 2 });
    expect(terms).toEqual([{ subexpression: '1 / (x - 2)', value: Number.POSITIVE_INFINITY }]);
  });

  it('names a non-finite symbol value', () => {
    const terms = findNonFiniteSubexpressions(parseExpression('x + 1', ['x']), { x: Number.NaN });
    expect(terms.map((term) => term.subexpression)).toEqual(['x']);
  });

  it('returns nothing for a finite value', () => {
    expect(findNonFiniteSubexpressions(parseExpression('x + 1', ['x']), { x: 1 })).toEqual([]);
  });
});
