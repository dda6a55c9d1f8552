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

/**
 * Where a result's links may lead: web pages (`https:`, `http:`), `mailto:`, and pages of the site
 * itself (a relative link is resolved against the site's URL, and dropped without one). Anything
 * else (`javascript:`, `data:`, `vbscript:`, `file:`) is not a link. Undefined when not allowed.
 */
export function safeHref(href: unknown, siteUrl?: string): string | undefined {
  if (typeof href !== 'string' || href.trim() === '' || href.length > 2048) return undefined;
  let url: URL;
  try {
    url = siteUrl ? new URL(href.trim(), siteUrl) : new URL(href.trim());
  } catch {
    return undefined;
  }
  return ['https:', 'http:', 'mailto:'].includes(url.protocol) ? url.toString() : undefined;
}

const linkText = (text: string, href: string | undefined): AdfNode => (href ? { type: 'text', text, marks: [{ type: 'link', attrs: { href } }] } : { type: 'text', text });

/** An external image or embed becomes a link to it (results never load content from elsewhere). */
function asLink(node: AdfNode, siteUrl: string | undefined): AdfNode | undefined {
  const attrs = (typeof node.attrs === 'object' && node.attrs !== null ? node.attrs : {}) as Record<string, unknown>;
  const href = safeHref(attrs.url, siteUrl);
  const label = typeof attrs.alt === 'string' && attrs.alt ? attrs.alt : typeof attrs.url === 'string' ? attrs.url : '';
  return label ? linkText(label, href) : undefined;
}

/**
 * A document with only safe links: link marks of other schemes are dropped (their text stays),
 * external images and embedded cards become links, unsafe card URLs become text.
 */
export function withSafeLinks(node: AdfNode, siteUrl?: string): AdfNode {
  const marks = Array.isArray(node.marks)
    ? node.marks.flatMap((mark) => {
        if (mark.type !== 'link') return [mark];
        const href = safeHref(mark.attrs?.href, siteUrl);
        return href ? [{ ...mark, attrs: { ...mark.attrs, href } }] : [];
      })
    : undefined;
  const content = Array.isArray(node.content)
    ? node.content.flatMap((child): AdfNode[] => {
        if (child.type === 'mediaSingle' || child.type === 'mediaGroup') {
          const external = (child.content ?? []).filter((m) => m.type === 'media' && (m.attrs as { type?: unknown } | undefined)?.type === 'external');
          if (external.length === 0) return [withSafeLinks(child, siteUrl)];
          const links = external.map((m) => asLink(m, siteUrl)).filter((n): n is AdfNode => n !== undefined);
          return links.length > 0 ? [{ type: 'paragraph', content: links }] : [];
        }
        if (child.type === 'media' && (child.attrs as { type?: unknown } | undefined)?.type === 'external') return [asLink(child, siteUrl)].filter((n): n is AdfNode => n !== undefined);
        if (child.type === 'blockCard' || child.type === 'embedCard') {
          const link = asLink(child, siteUrl);
          return link ? [{ type: 'paragraph', content: [link] }] : [];
        }
        if (child.type === 'inlineCard') {
          const href = safeHref((child.attrs as { url?: unknown } | undefined)?.url, siteUrl);
          const url = (child.attrs as { url?: unknown } | undefined)?.url;
          return href ? [{ ...child, attrs: { ...child.attrs, url: href } }] : typeof url === 'string' ? [{ type: 'text', text: url }] : [];
        }
        return [withSafeLinks(child, siteUrl)];
      })
    : undefined;
  const next: AdfNode = { ...node };
  if (marks !== undefined) {
    if (marks.length > 0) next.marks = marks;
    else delete next.marks;
  }
  if (content !== undefined) next.content = content;
  return next;
}

/**
 * Headings two levels smaller: an analysis's "# Summary" reads as a section title in a side panel,
 * not as the page's headline.
 */
export function scaledHeadings(node: AdfNode): AdfNode {
  const scaled: AdfNode = node.type === 'heading' ? { ...node, attrs: { ...node.attrs, level: Math.min(6, Math.max(1, Number(node.attrs?.level) || 1) + 2) } } : node;
  return Array.isArray(node.content) ? { ...scaled, content: node.content.map(scaledHeadings) } : scaled;
}

export function markdownDocument(markdown: string, siteUrl?: string): AdfDoc {
  return scaledHeadings(withSafeLinks(mergeText(markdownToAdf(escapeAngleBrackets(markdown)) as unknown as AdfNode), siteUrl)) as unknown as AdfDoc;
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
export function commentDocument(body: unknown, siteUrl?: string): AdfDoc {
  if (typeof body === 'string') return markdownDocument(body, siteUrl);
  const node = body as AdfNode;
  if (!node || node.type !== 'doc') return markdownDocument(adfToPlainText(body), siteUrl);
  if (isPlain(node)) {
    const text = adfToPlainText(node);
    if (looksLikeMarkdown(text)) return markdownDocument(text, siteUrl);
  }
  return scaledHeadings(withSafeLinks(node, siteUrl)) as unknown as AdfDoc;
}
