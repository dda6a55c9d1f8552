import { capText } from './text-limits';

/**
 * What an error answer's body says, for a person: a JSON `detail` as given; an HTML page (a proxy's
 * or a web UI's error page, AI Ops' ingress answers 503 and 413 that way) as its title, never its
 * markup; other text trimmed. The page's text is kept apart, for whoever opens the details.
 */
export type AnswerBody =
  | { kind: 'json'; detail?: string }
  | { kind: 'html'; title?: string; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'empty' };

const looksLikeHtml = (body: string) => /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(body) || /<\/(html|body|head|title)>/i.test(body);

const decodeEntities = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' })[name] ?? '');

/** The visible text of an HTML page: scripts and styles dropped, tags removed, space collapsed. */
export function htmlText(html: string): string {
  return decodeEntities(html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

export function readAnswerBody(body: string): AnswerBody {
  if (!body.trim()) return { kind: 'empty' };
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'detail' in parsed) {
      const value = (parsed as { detail: unknown }).detail;
      if (typeof value === 'string') return { kind: 'json', detail: value };
      // FastAPI validation errors: [{ loc, msg, type }]
      if (Array.isArray(value)) {
        return {
          kind: 'json',
          detail: value.map((d) => (d && typeof d === 'object' && 'msg' in d ? `${((d as { loc?: unknown[] }).loc ?? []).join('.')}: ${(d as { msg: unknown }).msg}` : JSON.stringify(d))).join('; '),
        };
      }
      return { kind: 'json', detail: JSON.stringify(value) };
    }
    return { kind: 'json' };
  } catch {
    // not JSON
  }
  if (looksLikeHtml(body)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
    return { kind: 'html', ...(title && htmlText(title) ? { title: capText(htmlText(title), 200) } : {}), text: capText(htmlText(body), 1024, 'page') };
  }
  return { kind: 'text', text: body.trim().replace(/\s+/g, ' ') };
}
