/**
 * ADF (Jira REST v3 rich text) to readable plain text, close to what Jira Automation's
 * `{{issue.description}}` gives an agent: paragraphs separated by blank lines, "- " and "1. "
 * lists, headings on their own line, code blocks fenced, mentions as "@Name", links as
 * "text (url)", tables as " | "-separated rows. Unknown nodes keep their text content.
 */

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: AdfNode[];
}

/**
 * Descriptions are written by reporters, so any shape can arrive: conversion never throws. Nodes
 * nested deeper than this are left out (Jira's editor nests a few levels; a crafted document could
 * nest thousands and exhaust the stack).
 */
const MAX_DEPTH = 48;
let depth = 0;

function isNode(value: unknown): value is AdfNode {
  return typeof value === 'object' && value !== null && typeof (value as AdfNode).type === 'string';
}

function children(node: AdfNode): AdfNode[] {
  return Array.isArray(node.content) && depth < MAX_DEPTH ? node.content.filter(isNode) : [];
}

function marks(node: AdfNode): Array<{ type: string; attrs?: Record<string, unknown> }> {
  return Array.isArray(node.marks) ? node.marks.filter((mark): mark is { type: string } => typeof mark === 'object' && mark !== null && typeof (mark as { type?: unknown }).type === 'string') : [];
}

const textOf = (node: AdfNode) => (typeof node.text === 'string' ? node.text : '');

/** A date node's day; a timestamp outside JavaScript's date range gives nothing rather than a throw. */
function dayOf(timestamp: unknown): string {
  const ms = Number(timestamp);
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString().slice(0, 10) : '';
}

/** Runs `render` one level deeper. */
function nested<T>(render: () => T): T {
  depth += 1;
  try {
    return render();
  } finally {
    depth -= 1;
  }
}

function attr(node: AdfNode, name: string): string | undefined {
  const value = typeof node.attrs === 'object' && node.attrs !== null ? node.attrs[name] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function inlineText(node: AdfNode): string {
  return nested(() => inlineOf(node));
}

function inlineOf(node: AdfNode): string {
  switch (node.type) {
    case 'text': {
      const text = textOf(node);
      const link = marks(node).find((mark) => mark.type === 'link')?.attrs?.href;
      if (typeof link === 'string' && link !== text) return `${text} (${link})`;
      if (marks(node).some((mark) => mark.type === 'code')) return `\`${text}\``;
      return text;
    }
    case 'hardBreak':
      return '\n';
    case 'mention': {
      const name = attr(node, 'text') ?? attr(node, 'id') ?? 'someone';
      return name.startsWith('@') ? name : `@${name}`;
    }
    case 'emoji':
      return attr(node, 'text') ?? attr(node, 'shortName') ?? '';
    case 'date':
      return dayOf(node.attrs?.timestamp);
    case 'status':
      return `[${attr(node, 'text') ?? ''}]`;
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return attr(node, 'url') ?? '';
    case 'placeholder':
      return '';
    default:
      return children(node).map(inlineText).join('') || textOf(node);
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.length > 0 ? ' '.repeat(prefix.length) + line : line))
    .join('\n');
}

function listItems(node: AdfNode, ordered: boolean): string {
  const start = Number(node.attrs?.order ?? 1);
  return children(node)
    .map((item, i) => {
      const marker = ordered ? `${(Number.isFinite(start) ? start : 1) + i}. ` : '- ';
      const checkbox = item.type === 'taskItem' ? (item.attrs?.state === 'DONE' ? '[x] ' : '[ ] ') : '';
      const body = item.type === 'taskItem' ? children(item).map(inlineText).join('') : blocks(children(item), '\n');
      return marker + checkbox + indent(body, marker);
    })
    .join('\n');
}

function tableText(node: AdfNode): string {
  return children(node)
    .map((row) =>
      children(row)
        .map((cell) => blocks(children(cell), ' ').replace(/\n+/g, ' ').trim())
        .join(' | '),
    )
    .join('\n');
}

function block(node: AdfNode): string {
  return nested(() => blockOf(node));
}

function blockOf(node: AdfNode): string {
  switch (node.type) {
    case 'paragraph':
      return children(node).map(inlineText).join('');
    case 'heading':
      return children(node).map(inlineText).join('');
    case 'bulletList':
      return listItems(node, false);
    case 'orderedList':
      return listItems(node, true);
    case 'taskList':
      return listItems(node, false);
    case 'codeBlock': {
      const language = attr(node, 'language') ?? '';
      return `\`\`\`${language}\n${children(node).map(inlineText).join('')}\n\`\`\``;
    }
    case 'blockquote':
      return blocks(children(node), '\n\n')
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'rule':
      return '---';
    case 'table':
      return tableText(node);
    case 'panel':
    case 'expand':
    case 'nestedExpand': {
      const title = attr(node, 'title');
      const body = blocks(children(node), '\n\n');
      return title ? `${title}\n${body}` : body;
    }
    case 'mediaSingle':
    case 'mediaGroup':
    case 'media':
      return '[attachment]';
    default:
      // Unknown or inline-at-block-level nodes: keep whatever text they hold.
      return children(node).length > 0 ? blocks(children(node), '\n') : inlineText(node);
  }
}

function blocks(nodes: AdfNode[], separator: string): string {
  return nodes
    .map(block)
    .filter((text) => text.length > 0)
    .join(separator);
}

/** Plain text of an ADF document; a string passes through, anything else gives "". Never throws. */
export function adfToPlainText(doc: unknown): string {
  if (typeof doc === 'string') return doc;
  if (!isNode(doc)) return '';
  depth = 0;
  const text = doc.type === 'doc' ? blocks(children(doc), '\n\n') : block(doc);
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
