/**
 * The run marker: one line the AI Ops admin adds to the Ticket Enhancer's instructions, so the
 * agent's comment names the run it answers. The platform fills `{name}` placeholders in the
 * instructions from the payload's top-level fields before the model reads them
 * (AIOPS-CONTRACT "What the platform does in practice"), so `{delivery_id}` becomes this run's
 * delivery id; the strict payload has no `delivery_id`, and `{timestamp}` (the payload's own
 * timestamp) takes its place.
 */

export const MARKER_PHRASE = 'Ticket Enhancer run';

/** The placeholder the marker uses with this payload. */
export function markerPlaceholder(strictPayload: boolean): '{delivery_id}' | '{timestamp}' {
  return strictPayload ? '{timestamp}' : '{delivery_id}';
}

/** The line to add to the agent's instructions, as the admin page shows it. */
export function markerInstruction(strictPayload: boolean): string {
  return `End your comment with the line \`${MARKER_PHRASE} ${markerPlaceholder(strictPayload)}\``;
}

// The phrase, then whatever decoration a model adds (bold, code, a colon), then the value.
const MARKER = /Ticket Enhancer run[\s*_`:'"]*([A-Za-z0-9][A-Za-z0-9_.:+-]*)/gi;
// A line that holds the marker and nothing else worth showing.
const MARKER_LINE = /^[\s*_`>#-]*Ticket Enhancer run[\s*_`:'"]*[A-Za-z0-9][A-Za-z0-9_.:+-]*[\s*_`'".]*$/i;

/** The run values named in a comment's text (a delivery id or a payload timestamp). */
export function markersIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(MARKER)) {
    // A sentence's full stop or a closing mark is not part of the value.
    const value = match[1].replace(/[^A-Za-z0-9]+$/, '');
    if (value) found.add(value);
  }
  return [...found];
}

/** Whether the marker the comment carries names this run. */
export function markerNames(markers: string[], run: { deliveryId: string; markerTimestamp?: string }): boolean {
  return markers.some((value) => value === run.deliveryId || (run.markerTimestamp !== undefined && sameInstant(value, run.markerTimestamp)));
}

function sameInstant(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [Date.parse(a), Date.parse(b)];
  return /^\d{4}-\d{2}-\d{2}T/.test(a) && Number.isFinite(x) && x === y;
}

interface AdfNode {
  type?: string;
  text?: string;
  content?: AdfNode[];
  [key: string]: unknown;
}

function lineText(nodes: AdfNode[]): string {
  return nodes.map((node) => (typeof node.text === 'string' ? node.text : '')).join('');
}

/** A paragraph without its marker lines (lines split by hard breaks); undefined when nothing is left. */
function withoutMarkerLines(paragraph: AdfNode): AdfNode | undefined {
  const inline = paragraph.content ?? [];
  const lines: AdfNode[][] = [[]];
  for (const node of inline) {
    if (node?.type === 'hardBreak') lines.push([]);
    else lines[lines.length - 1].push(node);
  }
  const kept = lines.filter((line) => !MARKER_LINE.test(lineText(line)));
  if (kept.length === lines.length) return paragraph;
  const content = kept.flatMap((line, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...line]);
  return content.some((node) => typeof node.text === 'string' && node.text.trim()) ? { ...paragraph, content } : undefined;
}

/**
 * The comment as the panel shows it: the marker line is for the app, not for readers. Works on an
 * ADF document (paragraphs and their hard-broken lines) or on text; anything else is returned as is.
 */
export function withoutMarker<T>(body: T): T {
  if (typeof body === 'string') {
    return body
      .split('\n')
      .filter((line) => !MARKER_LINE.test(line))
      .join('\n')
      .trimEnd() as T;
  }
  const doc = body as AdfNode;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.content)) return body;
  const content = doc.content.flatMap((node) => {
    if (node?.type !== 'paragraph') return [node];
    const kept = withoutMarkerLines(node);
    return kept ? [kept] : [];
  });
  return { ...doc, content } as T;
}
