import { classifyAnswer, type AiOpsAnswer } from './delivery-policy';

/** What "Check connection" and "Send test issue" tell an admin, in words. */
export interface Diagnosis {
  ok: boolean;
  title: string;
  detail: string;
}

export function diagnoseHealth(answer: AiOpsAnswer, url: string): Diagnosis {
  if (answer.kind === 'timeout') return { ok: false, title: 'No answer', detail: `${url} did not answer within ${Math.round(answer.timeoutMs / 1000)} s.` };
  if (answer.kind === 'network-error') return { ok: false, title: 'Unreachable', detail: `${url} could not be reached: ${answer.message}.` };
  if (answer.status === 200) return { ok: true, title: 'AI Ops is up', detail: `${url} answered 200: the API, its database and Redis are up.` };
  if (answer.status === 403 && answer.body.includes('egress')) return { ok: false, title: 'Egress not approved', detail: 'Approve the AI Ops host first (the "Approve egress" button).' };
  return { ok: false, title: `HTTP ${answer.status}`, detail: `${url} answered ${answer.status}: is the base URL the AI Ops API? ${answer.body.slice(0, 200)}` };
}

export function diagnoseTestDelivery(answer: AiOpsAnswer, nowMs: number): Diagnosis {
  const outcome = classifyAnswer(answer, nowMs);
  if (outcome.kind === 'accepted') {
    return { ok: true, title: 'Test issue accepted', detail: `AI Ops answered ${outcome.httpStatus} and queued execution ${outcome.executionId}: the secret, key encoding and agent id are right.` };
  }
  const verdict = outcome.kind === 'retry' ? 'AI Ops is not answering properly (deliveries would be retried)' : 'AI Ops refused the test issue (deliveries would fail)';
  return { ok: false, title: verdict, detail: outcome.reason };
}
