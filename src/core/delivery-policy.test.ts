import { backoffSeconds, classifyAnswer } from './delivery-policy';

const now = Date.parse('2026-11-28T10:00:00Z');
const response = (status: number, body: unknown, retryAfterHeader?: string) => ({ kind: 'response' as const, status, body: JSON.stringify(body), retryAfterHeader });

describe('classifying AI Ops answers', () => {
  it('accepts a 202 and keeps the execution id', () => {
    expect(classifyAnswer(response(202, { status: 'queued', execution_id: 'e1', message: 'Agent execution queued' }), now)).toEqual({ kind: 'accepted', executionId: 'e1', httpStatus: 202 });
  });

  it.each([
    [401, { detail: 'Invalid HMAC signature' }, /HMAC secret does not match.*Invalid HMAC signature/],
    [403, { detail: 'Agent is INACTIVE, only ACTIVE agents can be triggered' }, /not active/],
    [404, { detail: 'Agent not found' }, /no agent with this id/],
    [422, { detail: [{ loc: ['path', 'agent_id'], msg: 'Input should be a valid UUID' }] }, /not a valid UUID.*path.agent_id: Input should be a valid UUID/],
    [400, { detail: 'Payload validation failed: extra field' }, /JSON Schema rejected.*strict payload mode/],
  ])('rejects %i without retrying, with a reason an admin can act on', (status, body, reason) => {
    const outcome = classifyAnswer(response(status, body), now);
    expect(outcome.kind).toBe('rejected');
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(reason);
  });

  it('retries 5xx, 408, 429 (honouring Retry-After), timeouts and network errors', () => {
    expect(classifyAnswer(response(503, { detail: 'down' }), now).kind).toBe('retry');
    expect(classifyAnswer(response(408, {}), now).kind).toBe('retry');
    expect(classifyAnswer(response(429, {}, '120'), now)).toMatchObject({ kind: 'retry', retryAfterSeconds: 120 });
    expect(classifyAnswer(response(429, {}, new Date(now + 30_000).toUTCString()), now)).toMatchObject({ retryAfterSeconds: 30 });
    expect(classifyAnswer({ kind: 'timeout', timeoutMs: 10_000 }, now)).toMatchObject({ kind: 'retry', reason: 'AI Ops did not answer within 10 s' });
    expect(classifyAnswer({ kind: 'network-error', message: 'ECONNREFUSED' }, now)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('backs off exponentially, never below Retry-After and never past the platform limit', () => {
    expect([2, 3, 4, 5].map((n) => backoffSeconds(n))).toEqual([15, 30, 60, 120]);
    expect(backoffSeconds(2, 300)).toBe(300);
    expect(backoffSeconds(12)).toBe(900);
    expect(backoffSeconds(2, 5000)).toBe(900);
  });
});
