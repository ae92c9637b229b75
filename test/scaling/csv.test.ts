import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/errors.js';
import { parseScalingCsv } from '../../src/scaling/csv.js';

const BUNDLED_BITNET = fileURLToPath(new URL('../../data/bitnet-b158.csv', import.meta.url));

describe('parseScalingCsv', () => {
  it('reads N, D, loss with comments and blank lines', () => {
    const text = '# runs of the sweep\nN,D,loss\n\n1e6,2e9,3.5\n2000000,2e9,3.1\n';
    expect(parseScalingCsv(text)).toEqual([
      { N: 1e6, D: 2e9, loss: 3.5 },
      { N: 2e6, D: 2e9, loss: 3.1 },
    ]);
  });

  it('converts perplexity to its natural log', () => {
    const [point] = parseScalingCsv('n,perplexity\n7e8,12.33\n');
    expect(point!.loss).toBe(Math.log(12.33));
    expect(point!.N).toBe(7e8);
  });

  it('keeps seed and family as text', () => {
    const points = parseScalingCsv('family,seed,C,loss\nbitnet,3,1e18,2.5\n"llama, fp16",03,1e18,2.4\n');
    expect(points[0]).toEqual({ family: 'bitnet', seed: '3', C: 1e18, loss: 2.5 });
    expect(points[1]!.family).toBe('llama, fp16');
    expect(points[1]!.seed).toBe('03');
  });

  it('treats an empty N, D or C as not measured', () => {
    const points = parseScalingCsv('N,D,loss,notes\n1e6,,3.5,first run\n');
    expect(points[0]).toEqual({ N: 1e6, loss: 3.5 });
  });

  it('accepts Windows line endings and escaped quotes', () => {
    const points = parseScalingCsv('family,N,loss\r\n"a ""b""",10,2\r\n');
    expect(points[0]!.family).toBe('a "b"');
  });

  it('names line and column of a bad number', () => {
    const text = 'N,loss\n1e6,3.5\n2e6,abc\n';
    expect(() => parseScalingCsv(text, 'runs.csv')).toThrow(InvalidInputError);
    expect(() => parseScalingCsv(text, 'runs.csv')).toThrow('runs.csv line 3, column loss');
  });

  it('rejects non-positive, hex and infinite values', () => {
    expect(() => parseScalingCsv('N,loss\n0,3\n')).toThrow(/column N/);
    expect(() => parseScalingCsv('N,loss\n-5,3\n')).toThrow(/column N/);
    expect(() => parseScalingCsv('N,loss\n0x10,3\n')).toThrow(/column N/);
    expect(() => parseScalingCsv('N,loss\nInfinity,3\n')).toThrow(/column N/);
  });

  it('rejects a perplexity of 1 or less', () => {
    expect(() => parseScalingCsv('N,perplexity\n1e6,1\n')).toThrow(/must exceed 1/);
  });

  it('rejects an empty loss, seed or family', () => {
    expect(() => parseScalingCsv('N,loss\n1e6,\n')).toThrow(/line 2, column loss/);
    expect(() => parseScalingCsv('N,loss,seed\n1e6,2,\n')).toThrow(/column seed/);
    expect(() => parseScalingCsv('N,loss,family\n1e6,2, \n')).toThrow(/column family/);
  });

  it('rejects bad headers', () => {
    expect(() => parseScalingCsv('N,D\n1,2\n')).toThrow(/no loss or perplexity column/);
    expect(() => parseScalingCsv('N,loss,perplexity\n1,2,3\n')).toThrow(/both loss and perplexity/);
    expect(() => parseScalingCsv('size,loss\n1,2\n')).toThrow(/none of the columns N, D, C/);
    expect(() => parseScalingCsv('N,n,loss\n1,1,2\n')).toThrow(/appears twice/);
    expect(() => parseScalingCsv('# only a comment\n')).toThrow(/no header line/);
    expect(() => parseScalingCsv('N,loss\n')).toThrow(/no data rows/);
  });

  it('rejects rows with the wrong field count', () => {
    expect(() => parseScalingCsv('N,loss\n1e6,2,7\n')).toThrow(/line 2: has 3 fields but the header on line 1 has 2/);
    expect(() => parseScalingCsv('family,N,loss\n"open,1e6,2\n')).toThrow(/unterminated double quote/);
  });

  it('reads the bundled BitNet table', () => {
    const points = parseScalingCsv(fs.readFileSync(BUNDLED_BITNET, 'utf8'), 'bitnet-b158.csv');
    expect(points).toHaveLength(7);
    expect(points.filter((point) => point.family === 'llama')).toHaveLength(3);
    expect(points.filter((point) => point.family === 'bitnet-b1.58')).toHaveLength(4);
    expect(points.every((point) => point.D === 1e11)).toBe(true);
    const largest = points.find((point) => point.N === 3.9e9);
    expect(largest!.loss).toBe(Math.log(9.62));
  });
});
