import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../proofs/index.js';
import { parseStatement, symbolToLatex } from '../../src/claims/expression.js';
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
});
