/**
 * A small HTML builder for the theorem pages: the `html` tagged template escapes every
 * interpolated value unless it is already markup ({@link SafeHtml}), so text taken from a
 * report (titles, expressions, file names) can never inject markup into a page.
 */

/** Markup that is already safe to insert as is. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** A value the `html` template accepts: text (escaped), markup, numbers, or lists of these. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

/** Escapes `& < > " '` for use in text and in double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Marks a string of trusted markup (KaTeX or vega output, or markup built here) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Tagged template for markup: `html\`<p>${title}</p>\`` escapes `title` unless it is a
 * SafeHtml. Arrays are joined without separators; null, undefined and false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0]!;
  values.forEach((value, index) => {
    markup += renderValue(value) + strings[index + 1]!;
  });
  return new SafeHtml(markup);
}

function renderValue(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((entry) => renderValue(entry)).join('');
  if (typeof value === 'number') return escapeHtml(String(value));
  return escapeHtml(value as string);
}

/**
 * Formats a number for tables: three significant digits, exponent form below 1e-3 or from
 * 1e4 on (integers below 1e6 stay whole), `–` for null, and the JavaScript spelling of
 * infinities and NaN.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/** Formats an interval `[lower, upper]` with {@link formatNumber}. */
export function formatInterval(lower: number | null | undefined, upper: number | null | undefined): string {
  return `[${formatNumber(lower)}, ${formatNumber(upper)}]`;
}
