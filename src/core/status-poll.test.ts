import { pollDelaySeconds, readStatusAnswer } from './status-poll';

const ok = (body: unknown) => ({ kind: 'response' as const, status: 200, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('reading a status URL', () => {
  it('maps the common status words', () => {
    expect(readStatusAnswer(ok({ status: 'SUCCESS', result: '## Done' }), 'e1')).toEqual({ kind: 'final', message: { executionId: 'e1', status: 'completed', result: '## Done' } });
    expect(readStatusAnswer(ok({ status: 'error', error: 'boom' }), 'e1')).toEqual({ kind: 'final', message: { executionId: 'e1', status: 'failed', error: 'boom' } });
    expect(readStatusAnswer(ok({ status: 'queued' }), 'e1')).toMatchObject({ kind: 'pending', status: 'queued' });
    expect(readStatusAnswer(ok({ state: 'running' }), 'e1')).toMatchObject({ kind: 'pending', status: 'running' });
  });

  it('shows an unknown word as it came', () => {
    expect(readStatusAnswer(ok({ status: 'THINKING_HARD' }), 'e1')).toEqual({ kind: 'pending', status: 'running', shownAs: 'THINKING_HARD' });
  });

  it('explains HTML, 404 and missing fields', () => {
    expect(readStatusAnswer(ok('<html><body>Login</body></html>'), 'e1')).toEqual({ kind: 'unreadable', reason: 'the status URL did not answer with a JSON object (is it an HTML page?)' });
    expect(readStatusAnswer({ kind: 'response', status: 404, body: 'nope' }, 'e1')).toMatchObject({ reason: expect.stringContaining('404') });
    expect(readStatusAnswer(ok({ progress: 3 }), 'e1')).toMatchObject({ reason: 'the status answer has no "status" field' });
  });

  it('backs off between polls', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(pollDelaySeconds)).toEqual([5, 10, 20, 40, 80, 120, 120]);
  });
});
