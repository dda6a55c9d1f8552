import { backoffSeconds, classifyAnswer, nextStep, waitInHops, WAITING_RECHECK_MS, MAX_HONOURED_RETRY_AFTER_SECONDS, type DeliveryOutcome } from './delivery-policy';

const now = Date.parse('2026-11-28T10:00:00Z');
const response = (status: number, body: unknown, retryAfterHeader?: string) => ({ kind: 'response' as const, status, body: typeof body === 'string' ? body : JSON.stringify(body), retryAfterHeader });

describe('classifying AI Ops answers', () => {
  it('accepts a 202 and keeps the execution id', () => {
    expect(classifyAnswer(response(202, { status: 'queued', execution_id: 'e1', message: 'Agent execution queued' }), now)).toEqual({ kind: 'accepted', executionId: 'e1', httpStatus: 202 });
  });

  it.each([
    [401, { detail: 'Invalid HMAC signature' }, /HMAC secret does not match.*Invalid HMAC signature/, 'configuration'],
    [403, { detail: 'Agent is INACTIVE, only ACTIVE agents can be triggered' }, /not active/, 'configuration'],
    [404, { detail: 'Agent not found' }, /no agent with this id/, 'configuration'],
    [422, { detail: [{ loc: ['path', 'agent_id'], msg: 'Input should be a valid UUID' }] }, /not a valid UUID.*path.agent_id: Input should be a valid UUID/, 'configuration'],
    [400, { detail: "Payload validation failed: Validation failed at '/': must NOT have additional properties (delivery_id)" }, /does not allow the extra fields.*turn on strict payload mode/, 'configuration'],
    [400, { detail: "Payload validation failed: Validation failed at '/issue/fields/priority': must be string" }, /^400 from AI Ops: the agent refused the payload: Payload validation failed/, 'payload'],
  ])('rejects %i without retrying, with a reason an admin can act on', (status, body, reason, cause) => {
    const outcome = classifyAnswer(response(status, body), now);
    expect(outcome).toMatchObject({ kind: 'rejected', cause });
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(reason);
  });

  it('suggests strict mode only when it is off and the detail names an unexpected property', () => {
    const extra = response(400, { detail: "Payload validation failed: Additional properties are not allowed ('labels' was unexpected)" });
    expect(classifyAnswer(extra, now).kind === 'rejected' && classifyAnswer(extra, now)).toMatchObject({ reason: expect.stringContaining('turn on strict payload mode') });
    const strictAlready = classifyAnswer(extra, now, { strictPayload: true });
    expect(strictAlready).toMatchObject({ cause: 'payload', reason: expect.not.stringContaining('strict') });
    expect(strictAlready.kind === 'rejected' && strictAlready.reason).toContain("('labels' was unexpected)");
    const invalidJson = classifyAnswer(response(400, { detail: 'Invalid JSON payload' }), now);
    expect(invalidJson.kind === 'rejected' && invalidJson.reason).toBe('400 from AI Ops: the agent refused the payload: Invalid JSON payload');
  });

  it('keeps a 300 KB detail short enough to store, and still rejects it', () => {
    const outcome = classifyAnswer(response(400, { detail: `Payload validation failed: ${'x'.repeat(300_000)}` }), now);
    expect(outcome.kind).toBe('rejected');
    expect(Buffer.byteLength(outcome.kind === 'rejected' ? outcome.reason : '')).toBeLessThan(2_000);
  });

  it('classifies a refusal by the Forge egress proxy as a configuration problem, not retried', () => {
    expect(classifyAnswer({ kind: 'egress-refused', host: 'aiops.example.com', code: 'REQUEST_EGRESS_ALLOWLIST_ERR' }, now)).toEqual({
      kind: 'rejected',
      cause: 'configuration',
      reason: "egress to aiops.example.com is not approved: a Jira admin must approve it on the app's admin page; nothing was sent",
    });
  });

  it('names an HTML page by its title instead of storing its markup, and keeps its text for the details', () => {
    const page = '<!DOCTYPE html><html><head><title>Page not found · AI Ops</title><style>body{}</style></head><body><h1>404</h1><p>The page you asked for &amp; more is not here.</p><script>x()</script></body></html>';
    const outcome = classifyAnswer(response(404, page), now);
    expect(outcome).toMatchObject({
      kind: 'rejected',
      cause: 'configuration',
      reason: '404 from AI Ops: an HTML page ("Page not found · AI Ops") came back where the API answers JSON: is the base URL the API\'s, not the web UI\'s?',
      excerpt: 'Page not found · AI Ops 404 The page you asked for & more is not here.',
    });
    expect(JSON.stringify(outcome)).not.toMatch(/<|DOCTYPE/);
    // AI Ops' ingress answers its rate limit with an HTML 503: busy, retried, not the base URL's fault.
    expect(classifyAnswer(response(503, '<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>'), now)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('AI Ops is busy or down') });
  });

  it('retries 5xx, 408, 429 (honouring Retry-After), timeouts and network errors', () => {
    expect(classifyAnswer(response(503, { detail: 'down' }), now).kind).toBe('retry');
    expect(classifyAnswer(response(408, {}), now).kind).toBe('retry');
    expect(classifyAnswer(response(429, {}, '120'), now)).toMatchObject({ kind: 'retry', retryAfterSeconds: 120 });
    expect(classifyAnswer(response(429, {}, new Date(now + 30_000).toUTCString()), now)).toMatchObject({ retryAfterSeconds: 30 });
    expect(classifyAnswer({ kind: 'timeout', timeoutMs: 10_000 }, now)).toMatchObject({ kind: 'retry', reason: 'AI Ops did not answer within 10 s' });
    expect(classifyAnswer({ kind: 'network-error', message: 'ECONNREFUSED' }, now)).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('backs off exponentially and never sooner than Retry-After, however long', () => {
    expect([2, 3, 4, 5].map((n) => backoffSeconds(n))).toEqual([15, 30, 60, 120]);
    expect(backoffSeconds(2, 300)).toBe(300);
    expect(backoffSeconds(12)).toBe(900);
    expect(backoffSeconds(2, 5000)).toBe(5000);
  });

  it('chains waits longer than the platform allows in hops of at most 900 s', () => {
    expect(waitInHops(5000)).toEqual({ firstSeconds: 500, hopsAfter: 5 });
    expect(waitInHops(100)).toEqual({ firstSeconds: 100, hopsAfter: 0 });
    expect(waitInHops(900)).toEqual({ firstSeconds: 900, hopsAfter: 0 });
    expect(waitInHops(0)).toEqual({ firstSeconds: 1, hopsAfter: 0 });
  });
});

describe('what follows an attempt', () => {
  const outage: DeliveryOutcome = { kind: 'retry', reason: 'AI Ops could not be reached: ECONNREFUSED' };
  const ctx = { attempt: 1, attemptLimit: 5, resumed: false, createdAtMs: now, outageHorizonHours: 24, nowMs: now };

  it('retries while attempts remain', () => {
    expect(nextStep(outage, ctx)).toEqual({ next: 'retry', dueAtMs: now + 15_000 });
  });

  it('waits for AI Ops to come back when the attempts are used up inside the outage horizon', () => {
    expect(nextStep(outage, { ...ctx, attempt: 5 })).toEqual({ next: 'wait', recheckAtMs: now + WAITING_RECHECK_MS });
  });

  it('fails runs older than the horizon, and rejections at once', () => {
    expect(nextStep(outage, { ...ctx, attempt: 5, createdAtMs: now - 25 * 3_600_000 })).toEqual({ next: 'fail' });
    expect(nextStep({ kind: 'rejected', reason: '401', cause: 'configuration' }, ctx)).toEqual({ next: 'fail' });
  });

  it('honours Retry-After up to an hour; a longer one waits for AI Ops like an outage, within the horizon', () => {
    const busy = (seconds: number): DeliveryOutcome => ({ kind: 'retry', httpStatus: 429, reason: '429 from AI Ops', retryAfterSeconds: seconds });
    expect(nextStep(busy(1_800), ctx)).toEqual({ next: 'retry', dueAtMs: now + 1_800_000 });
    // A year (31,536,000,000 s): the run does not park until 3026; it waits for the health check.
    expect(nextStep(busy(31_536_000_000), ctx)).toEqual({ next: 'wait', recheckAtMs: now + MAX_HONOURED_RETRY_AFTER_SECONDS * 1000 });
    expect(nextStep(busy(31_536_000_000), { ...ctx, createdAtMs: now - 25 * 3_600_000 })).toEqual({ next: 'fail' });
  });

  it('fails a resumed run that AI Ops answers with an error while it is up', () => {
    expect(nextStep({ kind: 'retry', httpStatus: 500, reason: '500 from AI Ops: Webhook trigger is not configured' }, { ...ctx, resumed: true })).toEqual({ next: 'fail' });
    expect(nextStep(outage, { ...ctx, resumed: true })).toEqual({ next: 'wait', recheckAtMs: now + WAITING_RECHECK_MS });
  });
});
