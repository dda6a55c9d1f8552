/**
 * A run's reason in its reader's language. Reasons are stored once, in English, on the run (the
 * Automation audit log, logs and every later reader share them); `src/locales` holds each reason's
 * English wording under `reason.*`, with `{name}` where the run's own facts go. A stored reason that
 * matches one of those templates is worded again in the reader's locale, its facts kept as they
 * are (an inner reason, such as the last attempt's, is worded the same way); any other text, such
 * as a reason stored by an earlier version or cut short, stays in English.
 */
import en from '../locales/en-US.json';
import { english } from './english';
import type { Translate } from './i18n';

interface Template {
  key: string;
  pattern: RegExp;
  names: string[];
  /** Literal characters: the more a template spells out, the earlier it is tried. */
  literal: number;
}

/** Facts that are themselves reasons, worded again in the reader's locale. */
const NESTED = new Set(['reason', 'last', 'error']);

/** Facts that are whole numbers (an HTTP status, a count, a time). */
const NUMERIC = new Set(['status', 'n', 'seconds', 'minutes', 'hours']);

/** Whole texts stored as reasons that live under another key. */
const ALSO = ['licence.message', 'secret.notAscii', 'secret.base64Count', 'secret.base64Padding', 'secret.empty', 'secret.noKeyBytes', 'secret.none'];

let templates: Template[] | undefined;

function compile(key: string, text: string): Template {
  const names: string[] = [];
  let literal = 0;
  const source = text
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) {
        names.push(name);
        return NUMERIC.has(name) ? '(\\d+)' : '(.+?)';
      }
      literal += part.length;
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { key, pattern: new RegExp(`^${source}$`, 's'), names, literal };
}

function allTemplates(): Template[] {
  if (!templates) {
    const keys = [...Object.keys(en.reason).map((name) => `reason.${name}`), ...ALSO];
    templates = keys.map((key) => compile(key, english(key))).sort((a, b) => b.literal - a.literal);
  }
  return templates;
}

export function wordReason(text: string, t: Translate, depth = 0): string {
  if (depth > 3) return text;
  for (const template of allTemplates()) {
    const match = template.pattern.exec(text);
    if (!match) continue;
    const params = Object.fromEntries(template.names.map((name, i) => [name, NESTED.has(name) ? wordReason(match[i + 1], t, depth + 1) : match[i + 1]]));
    return t(template.key, params);
  }
  return text;
}

/** How long a failure reason's label may be on the charts. */
const LABEL_CHARS = 140;

/** The top failure reasons of the charts, worded for the reader and shortened for display. */
export function wordInsights<I extends { topReasons: Array<{ label: string }> }>(insights: I, t: Translate): I {
  const shorten = (text: string) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text);
  return { ...insights, topReasons: insights.topReasons.map((reason) => ({ ...reason, label: shorten(wordReason(reason.label, t)) })) };
}
