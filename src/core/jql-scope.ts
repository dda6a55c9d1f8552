import type { Message } from './i18n';

/**
 * JQL the app composes from what people type. A typed query is only ever placed inside
 * parentheses after the app's own scope (`project in (...) AND (<typed>)`), so it must be a whole
 * query on its own: a stray `)` would close the app's parenthesis and let `OR` reach other
 * projects (Jira binds AND tighter than OR). Values the app writes into JQL are always quoted.
 */

export const MAX_TYPED_JQL = 2_000;

/** A JQL string literal: the value in double quotes, with `"` and `\` escaped (JQL reference, "Restricted characters"). */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Why a typed query cannot be placed inside the app's scope, or undefined. Reads it as JQL's
 * tokenizer does: text in quotes is a value, so `summary ~ "a)"` is balanced.
 */
export function typedJqlProblem(jql: string): Message | undefined {
  if (jql.length > MAX_TYPED_JQL) return { key: 'jqlError.tooLong', params: { max: MAX_TYPED_JQL } };
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < jql.length; i += 1) {
    const c = jql[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') {
      depth -= 1;
      if (depth < 0) return { key: 'jqlError.unopened', params: { at: i + 1 } };
    }
  }
  if (quote) return { key: 'jqlError.unclosedQuote' };
  if (depth > 0) return { key: 'jqlError.unclosed' };
  return undefined;
}

/** The query without a trailing ORDER BY (bulk runs order by issue id themselves). */
export function withoutOrderBy(jql: string): string {
  return jql.replace(/\s+ORDER\s+BY\s+[\s\S]*$/i, '').replace(/^\s*ORDER\s+BY\s+[\s\S]*$/i, '');
}

/**
 * The typed query inside the projects it may reach. Project ids are Jira's numeric ids, never typed
 * text. An empty typed query means every issue of those projects.
 */
export function scopedJql(typed: string, projectIds: string[]): string {
  const ids = projectIds.filter((id) => /^\d{1,18}$/.test(id));
  if (ids.length === 0) throw new Error('a scoped query needs at least one project id');
  const scope = ids.length === 1 ? `project = ${ids[0]}` : `project in (${ids.join(', ')})`;
  const where = withoutOrderBy(typed).trim();
  return where ? `${scope} AND (${where})` : scope;
}
