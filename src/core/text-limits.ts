/**
 * Every text the app stores (results, error details, reasons) is capped in bytes of UTF-8, because
 * the platform limits a stored value to 240 KiB of JSON, not a number of characters. A cut text
 * ends on a character boundary and says that it was cut.
 */

/** A stored run holds a result, a reason and a few attempts' reasons: together well under 240 KiB. */
export const MAX_RESULT_BYTES = 160 * 1024;
export const MAX_REASON_BYTES = 2 * 1024;
export const MAX_DETAIL_BYTES = 1024;

const encoder = new TextEncoder();

/** The longest prefix of `text` whose UTF-8 form fits in `maxBytes`, never splitting a character. */
export function prefixWithinBytes(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length * 3 <= maxBytes || encoder.encode(text).length <= maxBytes) return text;
  // Binary search over code-unit positions; a lone high surrogate at the end is dropped.
  let low = 0;
  let high = Math.min(text.length, maxBytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (encoder.encode(text.slice(0, mid)).length <= maxBytes) low = mid;
    else high = mid - 1;
  }
  let cut = text.slice(0, low);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/**
 * `text` if it fits in `maxBytes`, else its start followed by a marker naming what was cut, the
 * whole staying within `maxBytes`.
 */
export function capText(text: string, maxBytes: number, what = 'text'): string {
  const bytes = encoder.encode(text).length;
  if (bytes <= maxBytes) return text;
  const marker = `\n\n[${what} truncated: ${bytes} bytes received]`;
  const room = maxBytes - encoder.encode(marker).length;
  if (room <= 0) return prefixWithinBytes(marker.trim(), maxBytes);
  return `${prefixWithinBytes(text, room)}${marker}`;
}

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}
