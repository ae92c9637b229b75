import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, linearConvergence } from '../../proofs/index.js';
import { evaluateStatement, parseStatement, symbolToLatex } from '../../src/claims/expression.js';
import { MEASURED_SYMBOLS, symbolLatexNames } from '../../src/claims/symbols.js';
import { validateClaimExpressions } from '../../src/check/evaluate.js';

const allowedFor = (exponents: readonly { symbol: string }[] = []): string[] => [
  ...MEASURED_SYMBOLS.map((symbol) => symbol.name),
  ...exponents.map((exponent) => exponent.symbol),
];

describe('claim catalogue', () => {
  it('has unique ids and labels', () => {
    expect(new Set(CATALOGUE.map((claim) => claim.id)).size).toBe(CATALOGUE.length);
    expect(new Set(CATALOGUE.map((claim) => claim.label)).size).toBe(CATALOGUE.length);
  });

  it('uses only claims of the catalogue', () => {
    const ids = new Set(CATALOGUE.map((claim) => claim.id));
    for (const claim of CATALOGUE) for (const used of claim.uses) expect(ids.has(used)).toBe(true);
  });

  for (const claim of CATALOGUE) {
    it(`${claim.label} parses and renders in KaTeX`, () => {
      expect(() => validateClaimExpressions(claim)).not.toThrow();
      const texts = [
        ...claim.hypotheses.map((hypothesis) => hypothesis.expression),
        ...claim.statements.flatMap((statement) => (statement.kind === 'bound' || statement.kind === 'rate' ? [statement.expression] : [])),
      ];
      for (const text of texts) {
        const latex = parseStatement(text, allowedFor(claim.exponents), { latexNames: symbolLatexNames() }).latex;
        expect(() => katex.renderToString(latex, { throwOnError: true })).not.toThrow();
      }
      for (const exponent of claim.exponents ?? []) {
        expect(() => katex.renderToString(symbolToLatex(exponent.symbol), { throwOnError: true })).not.toThrow();
      }
    });
  }

  it('renders symbols after a multiplication without fusing', () => {
    const latex = parseStatement('x <= 2 * m', ['x', 'm']).latex;
    expect(latex).not.toMatch(/\\cdotm/);
    expect(() => katex.renderToString(latex, { throwOnError: true })).not.toThrow();
  });

  it('states the C1 hypotheses independently of the output scale kappa', () => {
    // Rescaling the output by kappa multiplies Hstar (so lambda_H) by kappa^2 and the default
    // step 1 / lambda_max by 1 / kappa^2; the hypotheses must decide every instance alike.
    const unitScale = { m: 4096, n: 119, delta: 0.1, kappa: 1, lambda_H: 0.0018, eta: 0.048 };
    const names = Object.keys(unitScale);
    for (const hypothesis of linearConvergence.hypotheses) {
      const statement = parseStatement(hypothesis.expression, names);
      const base = evaluateStatement(statement, unitScale);
      for (const kappa of [1e-3, 0.5, 3, 2000]) {
        const scaled = evaluateStatement(statement, { ...unitScale, kappa, lambda_H: unitScale.lambda_H * kappa ** 2, eta: unitScale.eta / kappa ** 2 });
        expect(scaled.holds).toBe(base.holds);
        // Both sides scale by the same factor, so their ratio is unchanged up to rounding.
        expect(Math.abs((scaled.lhs / scaled.rhs) / (base.lhs / base.rhs) - 1)).toBeLessThan(1e-12);
      }
    }
  });
});
