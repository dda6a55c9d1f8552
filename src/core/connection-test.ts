import { readAnswerBody } from './answer-body';
import type { AiOpsAnswer } from './delivery-policy';
import type { Translate } from './i18n';
import type { KeyEncoding } from './signing';

/**
 * "Check connection": the questions an admin has, in order, each answered in words. Is egress to
 * the host approved (the page reads that in the browser)? Does the host answer its health URL? Do
 * the agent id and the secret match? The last is answered without running the agent: the AI Ops
 * server checks the agent (404, 403 inactive), then the signature (401), and only then parses the
 * body, so a correctly signed body that is not JSON comes back 400 "Invalid JSON payload" and
 * queues nothing.
 */

export interface CheckStep {
  step: 'health' | 'agent';
  /** What was found (`match`, `notFound`, `secretMismatch`, ...): the texts' key under `check.`. */
  kind?: string;
  ok: boolean;
  title: string;
  detail: string;
}

/** The body of the credentials probe: signed like a delivery, deliberately not JSON. */
export const CREDENTIALS_PROBE_BODY = 'ticket-enhancer connection check: not JSON, so AI Ops queues nothing';

/** What the answer said, in a line: an HTML page by its title, never its markup. */
function detail(body: string, t: Translate): string {
  const read = readAnswerBody(body);
  if (read.kind === 'json') return read.detail ?? '';
  if (read.kind === 'html') return read.title ? t('check.htmlPageTitled', { title: read.title }) : t('check.htmlPage');
  return read.kind === 'text' ? read.text.slice(0, 200) : '';
}

function notAnswering(answer: AiOpsAnswer, url: string, t: Translate): CheckStep | undefined {
  const step = (name: string, params: Record<string, string | number>): CheckStep => ({ step: 'health', kind: name, ok: false, title: t(`check.${name}.title`), detail: t(`check.${name}.detail`, params) });
  if (answer.kind === 'timeout') return step('noAnswer', { url, seconds: Math.round(answer.timeoutMs / 1000) });
  if (answer.kind === 'network-error') return step('unreachable', { url, problem: answer.message });
  if (answer.kind === 'egress-refused') return step('egress', { host: answer.host, code: answer.code });
  return undefined;
}

export function diagnoseHealth(answer: AiOpsAnswer, url: string, t: Translate): CheckStep {
  const problem = notAnswering(answer, url, t);
  if (problem || answer.kind !== 'response') return problem!;
  if (answer.status === 200) return { step: 'health', kind: 'healthOk', ok: true, title: t('check.healthOk.title'), detail: t('check.healthOk.detail', { url }) };
  const params = { url, status: answer.status, said: detail(answer.body, t) };
  return { step: 'health', kind: 'healthStatus', ok: false, title: t('check.healthStatus.title', params), detail: t('check.healthStatus.detail', params).trim() };
}

export function diagnoseCredentials(answer: AiOpsAnswer, url: string, encoding: KeyEncoding, t: Translate): CheckStep {
  const problem = notAnswering(answer, url, t);
  if (problem || answer.kind !== 'response') return { ...problem!, step: 'agent' };
  const params = { url, status: answer.status, said: detail(answer.body, t), encoding };
  if (readAnswerBody(answer.body).kind === 'html' && answer.status !== 200 && answer.status !== 202) return { step: 'agent', kind: 'html', ok: false, title: t('check.html.title', params), detail: t('check.html.detail', params) };
  const step = (name: string, ok = false): CheckStep => ({ step: 'agent', kind: name, ok, title: t(`check.${name}.title`, params), detail: t(`check.${name}.detail`, params).trim() });
  switch (answer.status) {
    case 400:
      return params.said === 'Invalid JSON payload' ? step('match', true) : step('unexpected');
    case 401:
      return step('secretMismatch');
    case 403:
      return step('inactive');
    case 404:
      return step('notFound');
    case 422:
      return step('badId');
    case 500:
      return step('serverError');
    case 202:
    case 200:
      return step('acceptedNonJson');
    default:
      return step('other');
  }
}
