import type { AiOpsAnswer } from './delivery-policy';
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
  ok: boolean;
  title: string;
  detail: string;
}

/** The body of the credentials probe: signed like a delivery, deliberately not JSON. */
export const CREDENTIALS_PROBE_BODY = 'ticket-enhancer connection check: not JSON, so AI Ops queues nothing';

function detail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown };
    if (typeof parsed.detail === 'string') return parsed.detail;
  } catch {
    // not JSON
  }
  return body.trim().replace(/\s+/g, ' ').slice(0, 200);
}

function notAnswering(answer: AiOpsAnswer, url: string): CheckStep | undefined {
  if (answer.kind === 'timeout') return { step: 'health', ok: false, title: 'No answer', detail: `${url} did not answer within ${Math.round(answer.timeoutMs / 1000)} s.` };
  if (answer.kind === 'network-error') return { step: 'health', ok: false, title: 'Unreachable', detail: `${url} could not be reached: ${answer.message}.` };
  if (answer.kind === 'egress-refused') {
    return { step: 'health', ok: false, title: 'Egress not approved', detail: `Forge refused to send to ${answer.host} (${answer.code}): approve it with "Approve egress" above.` };
  }
  return undefined;
}

export function diagnoseHealth(answer: AiOpsAnswer, url: string): CheckStep {
  const problem = notAnswering(answer, url);
  if (problem || answer.kind !== 'response') return problem!;
  if (answer.status === 200) return { step: 'health', ok: true, title: 'AI Ops answers', detail: `${url} answered 200: the API, its database and Redis are up.` };
  return { step: 'health', ok: false, title: `Health check answered ${answer.status}`, detail: `${url} answered ${answer.status}: is the base URL the AI Ops API? ${detail(answer.body)}`.trim() };
}

export function diagnoseCredentials(answer: AiOpsAnswer, url: string, encoding: KeyEncoding): CheckStep {
  const problem = notAnswering(answer, url);
  if (problem || answer.kind !== 'response') return { ...problem!, step: 'agent' };
  const said = detail(answer.body);
  const fail = (title: string, text: string): CheckStep => ({ step: 'agent', ok: false, title, detail: text });
  switch (answer.status) {
    case 400:
      if (said === 'Invalid JSON payload') {
        return {
          step: 'agent',
          ok: true,
          title: 'Agent and secret match',
          detail: `The agent exists, is active and accepts the secret with the ${encoding} key encoding. No ticket was sent: the check posts a signed body that is not JSON, which AI Ops refuses before queueing anything.`,
        };
      }
      return fail('Unexpected answer', `AI Ops answered 400 (${said}) to the check; the agent and secret are probably right, but the receiver does not behave like AI Ops.`);
    case 401:
      return fail(
        'Secret does not match',
        `AI Ops answered 401 (${said}): the HMAC secret or its key encoding (${encoding}) does not match the agent's secret. Paste the secret shown when the agent's webhook secret was generated; AI Ops uses the base64 key encoding.`,
      );
    case 403:
      return fail('Agent not active', `AI Ops answered 403 (${said}): activate the agent in AI Ops (Agent Management), then check again.`);
    case 404:
      return fail('Agent not found', `AI Ops answered 404 (${said}): no agent has this id. Copy the id from the end of the agent's webhook URL in AI Ops.`);
    case 422:
      return fail('Agent id refused', `AI Ops answered 422: the agent id is not a valid UUID. ${said}`.trim());
    case 500:
      return fail('AI Ops error', `AI Ops answered 500 (${said}): for example the agent's webhook trigger is not configured, or its secret cannot be decrypted. Fix it in AI Ops, then check again.`);
    case 202:
    case 200:
      return fail('Receiver accepted a body that is not JSON', `${url} answered ${answer.status} to the check: it does not verify requests like AI Ops, so the check cannot prove the secret.`);
    default:
      return fail(`Answered ${answer.status}`, `${url} answered ${answer.status}: ${said}`);
  }
}
