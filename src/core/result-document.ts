import { markdownToAdf } from 'marklassian';
import { adfToPlainText, type AdfNode } from './adf-text';

/**
 * Results as documents the panel's AdfRenderer draws. Agents write Markdown; results never become
 * HTML: text that looks like a tag ("the <Checkout> component", "List<String>", even a <script>)
 * stays visible as text.
 */

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: unknown[];
}

/** Escapes `<` outside code spans and fenced blocks, so Markdown never reads it as HTML. */
function escapeAngleBrackets(markdown: string): string {
  const parts = markdown.split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/g);
  return parts.map((part, i) => (i % 2 === 1 ? part : part.replace(/\\?</g, '\\<'))).join('');
}

function sameMarks(a: AdfNode, b: AdfNode): boolean {
  return JSON.stringify(a.marks ?? []) === JSON.stringify(b.marks ?? []);
}

/** Joins neighbouring text nodes that carry the same marks (escaping splits them). */
function mergeText(node: AdfNode): AdfNode {
  if (!Array.isArray(node.content)) return node;
  const merged: AdfNode[] = [];
  for (const child of node.content.map(mergeText)) {
    const last = merged[merged.length - 1];
    if (last && last.type === 'text' && child.type === 'text' && sameMarks(last, child)) merged[merged.length - 1] = { ...last, text: `${last.text ?? ''}${child.text ?? ''}` };
    else merged.push(child);
  }
  return { ...node, content: merged };
}

export function markdownDocument(markdown: string): AdfDoc {
  return mergeText(markdownToAdf(escapeAngleBrackets(markdown)) as unknown as AdfNode) as unknown as AdfDoc;
}

const PLAIN_NODES = new Set(['doc', 'paragraph', 'text', 'hardBreak']);

function isPlain(node: AdfNode): boolean {
  if (!PLAIN_NODES.has(node.type)) return false;
  if (node.type === 'text' && (node.marks ?? []).some((mark) => mark.type !== 'link')) return false;
  return (node.content ?? []).every(isPlain);
}

/** Markdown that a Jira tool posted as plain paragraphs: headings, lists, emphasis, fences, tables. */
const MARKDOWN_SIGNS = [/^#{1,6}\s+\S/m, /^\s*[-*+]\s+\S/m, /^\s*\d+[.)]\s+\S/m, /\*\*[^*\n]+\*\*/, /^```/m, /^\|.+\|\s*$/m, /^>\s/m];

export function looksLikeMarkdown(text: string): boolean {
  return MARKDOWN_SIGNS.some((sign) => sign.test(text));
}

/**
 * A result comment's body as the panel shows it: rich ADF as Jira stored it; plain paragraphs whose
 * text is Markdown are rendered as that Markdown.
 */
export function commentDocument(body: unknown): AdfDoc {
  if (typeof body === 'string') return markdownDocument(body);
  const node = body as AdfNode;
  if (!node || node.type !== 'doc') return markdownDocument(adfToPlainText(body));
  if (isPlain(node)) {
    const text = adfToPlainText(node);
    if (looksLikeMarkdown(text)) return markdownDocument(text);
  }
  return node as unknown as AdfDoc;
}
