/**
 * What the Ticket Enhancer's analysis holds beyond its text: its sections (split at its headings),
 * the issue keys it names, and the suggestions an AI Ops admin can have the agent add in a fenced
 * block tagged `ticket-enhancer` (README "Suggestions the panel can apply"). Pure functions over
 * ADF and text; nothing here calls Jira.
 */
import { adfToPlainText, type AdfNode } from './adf-text';

export interface AdfDocLike {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

export interface AnalysisSection {
  title: string;
  document: AdfDocLike;
}

const SUMMARY = /^(summary|zusammenfassung|概要|要約)$/i;

/**
 * The analysis split at its top-level headings (the highest level it uses, so a document whose
 * headings were scaled down for the panel splits the same): one section per heading, the text
 * before the first heading in a section of its own. Fewer than two such headings: no structure
 * (undefined). A "Summary" section comes first.
 */
export function sectionsByHeading(doc: AdfDocLike, untitled: string): AnalysisSection[] | undefined {
  const content = Array.isArray(doc.content) ? doc.content : [];
  const levelOf = (node: AdfNode) => (node?.type === 'heading' ? Number((node.attrs as { level?: number } | undefined)?.level ?? 1) || 1 : undefined);
  const levels = content.map(levelOf).filter((level): level is number => level !== undefined);
  const top = Math.min(...levels);
  const isHeading = (node: AdfNode) => levelOf(node) === top;
  if (content.filter(isHeading).length < 2) return undefined;
  const sections: AnalysisSection[] = [];
  for (const node of content) {
    if (isHeading(node)) {
      sections.push({ title: adfToPlainText(node).trim() || untitled, document: { type: 'doc', version: 1, content: [] } });
      continue;
    }
    if (sections.length === 0) sections.push({ title: untitled, document: { type: 'doc', version: 1, content: [] } });
    sections[sections.length - 1].document.content.push(node);
  }
  const kept = sections.filter((section) => section.document.content.length > 0 || section.title !== untitled);
  const summary = kept.findIndex((section) => SUMMARY.test(section.title));
  if (summary > 0) kept.unshift(...kept.splice(summary, 1));
  return kept;
}

const ISSUE_KEY = /\b([A-Z][A-Z0-9_]{1,9}-[1-9]\d{0,8})\b/g;

/** Issue keys the analysis names, in order, without the issue itself; at most `max`. */
export function issueKeysIn(text: string, self: string, max = 10): string[] {
  const keys = new Set<string>();
  for (const match of text.matchAll(ISSUE_KEY)) {
    if (match[1] !== self) keys.add(match[1]);
    if (keys.size >= max) break;
  }
  return [...keys];
}

/** The machine-readable suggestions of an analysis, checked and capped. */
export interface Suggestions {
  labels?: string[];
  priority?: string;
  components?: string[];
  issuetype?: string;
  missing_information?: string[];
  /** 0 to 1, as the agent rates its own suggestions. */
  confidence?: number;
}

export const SUGGESTION_FIELDS = ['labels', 'priority', 'components', 'issuetype'] as const;
export type SuggestionField = (typeof SUGGESTION_FIELDS)[number];

const LIMITS = { items: 20, chars: 255 };

const words = (value: unknown): string[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const list = value
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.trim().slice(0, LIMITS.chars))
    .filter(Boolean);
  return list.length > 0 ? [...new Set(list)].slice(0, LIMITS.items) : undefined;
};
const one = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim().slice(0, LIMITS.chars) : undefined);

/** Reads a suggestions object (a parsed block, or a callback's `suggestions`); anything malformed is left out. */
export function readSuggestions(value: unknown): Suggestions | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  // Jira labels hold no spaces: a suggested "login page" becomes "login-page".
  const labels = words(raw.labels)?.map((label) => label.replace(/\s+/g, '-'));
  const confidence = typeof raw.confidence === 'number' && raw.confidence >= 0 && raw.confidence <= 1 ? raw.confidence : undefined;
  const read: Suggestions = {
    ...(labels ? { labels } : {}),
    ...(one(raw.priority) ? { priority: one(raw.priority) } : {}),
    ...(words(raw.components) ? { components: words(raw.components) } : {}),
    ...(one(raw.issuetype) ? { issuetype: one(raw.issuetype) } : {}),
    ...(words(raw.missing_information) ? { missing_information: words(raw.missing_information) } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
  };
  return Object.keys(read).length > 0 ? read : undefined;
}

export const SUGGESTIONS_TAG = 'ticket-enhancer';
const FENCED = /```ticket-enhancer[ \t]*\r?\n([\s\S]*?)\r?\n?```/;

function blockText(doc: unknown): string | undefined {
  const walk = (node: AdfNode | undefined): string | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    if (node.type === 'codeBlock' && (node.attrs as { language?: string } | undefined)?.language === SUGGESTIONS_TAG) return adfToPlainText({ type: 'doc', content: node.content ?? [] });
    for (const child of (node.content as AdfNode[] | undefined) ?? []) {
      const found = walk(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return typeof doc === 'string' ? undefined : walk(doc as AdfNode);
}

/** The suggestions block of a comment (ADF or text) or a Markdown result; undefined when there is none or it is not JSON. */
export function suggestionsIn(body: unknown): Suggestions | undefined {
  const inBlock = blockText(body);
  const text = inBlock ?? FENCED.exec(typeof body === 'string' ? body : adfToPlainText(body))?.[1];
  if (text === undefined) return undefined;
  try {
    return readSuggestions(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The analysis without its suggestions block: readers see the suggestions as actions instead. */
export function withoutSuggestionsBlock<T>(body: T): T {
  if (typeof body === 'string') return body.replace(FENCED, '').trimEnd() as T;
  const doc = body as { content?: AdfNode[] };
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.content)) return body;
  // Plain paragraphs (Markdown posted as text): drop the paragraphs from the opening fence to the closing one.
  const content: AdfNode[] = [];
  let inside = false;
  for (const node of doc.content) {
    if (node?.type === 'codeBlock' && (node.attrs as { language?: string } | undefined)?.language === SUGGESTIONS_TAG) continue;
    const text = node?.type === 'paragraph' ? adfToPlainText(node).trim() : '';
    if (!inside && text.startsWith('```ticket-enhancer')) {
      inside = !/```\s*$/.test(text.slice('```ticket-enhancer'.length));
      continue;
    }
    if (inside) {
      if (/```\s*$/.test(text)) inside = false;
      continue;
    }
    content.push(node);
  }
  return { ...doc, content } as T;
}
