import { createHmac } from 'node:crypto';
import {
  decodeBase64LikePython,
  hubSignature,
  secretToKey,
  SecretFormatError,
  signRequest,
  standardWebhookSignature,
  verifyHubSignature,
  verifyStandardWebhook,
} from './signing';

describe('published vectors', () => {
  it('matches the Standard Webhooks specification vector', () => {
    const key = decodeBase64LikePython('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const signature = standardWebhookSignature('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', [key]);
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it("matches GitHub's vector with the raw-text key encoding", () => {
    const key = secretToKey("It's a Secret to Everybody", 'utf8');
    expect(hubSignature('Hello, World!', key)).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });
});

describe('the AI Ops key rule: the HMAC key is the base64-decoded secret', () => {
  const secret = Buffer.alloc(32, 7).toString('base64');

  it('signs with the decoded bytes, not the secret text', () => {
    const body = '{"issue_key":"DEMO-1"}';
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(body).digest('hex');
    expect(hubSignature(body, secretToKey(secret, 'base64'))).toBe(`sha256=${expected}`);
    expect(hubSignature(body, secretToKey(secret, 'utf8'))).not.toBe(`sha256=${expected}`);
  });

  it("skips characters outside the alphabet, like Python's non-strict b64decode", () => {
    const withNoise = `${secret.slice(0, 10)}\n ${secret.slice(10, 30)}!${secret.slice(30)}`;
    expect(decodeBase64LikePython(withNoise)).toEqual(Buffer.alloc(32, 7));
  });

  it('ends at padding that completes a quad and ignores stray padding, as Python does', () => {
    expect(decodeBase64LikePython('YWJj==ZGVm')).toEqual(Buffer.from('abcdef'));
    expect(decodeBase64LikePython('YWI=ZGVm')).toEqual(Buffer.from('ab'));
  });

  it('rejects secrets Python cannot decode, with a reason', () => {
    expect(() => secretToKey('abcde', 'base64')).toThrow(SecretFormatError);
    expect(() => secretToKey('abcde', 'base64')).toThrow(/one more than a multiple of 4/);
    expect(() => secretToKey('abcdef', 'base64')).toThrow(/padding/);
    expect(() => secretToKey('', 'base64')).toThrow(/empty/);
  });
});

describe('signRequest and verification', () => {
  const current = Buffer.alloc(32, 1);
  const previous = Buffer.alloc(32, 2);
  const body = '{"a":1}';

  it('sends one v1 signature per active key and keeps the AI Ops header on the current key', () => {
    const headers = signRequest(body, [current, previous], 'dlv_1', 1_700_000_000_000);
    expect(headers['webhook-id']).toBe('dlv_1');
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyHubSignature(body, headers['X-Hub-Signature-256'], [current])).toBe(true);
    expect(verifyHubSignature(body, headers['X-Hub-Signature-256'], [previous])).toBe(false);
  });

  it('accepts a signature made with a key still in its grace period', () => {
    const headers = signRequest(body, [previous], 'dlv_1', 1_700_000_000_000);
    expect(verifyStandardWebhook(body, { id: 'dlv_1', timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] }, [current, previous], 1_700_000_000_000)).toEqual({ ok: true });
  });

  it('rejects stale, tampered and missing signatures', () => {
    const headers = signRequest(body, [current], 'dlv_1', 1_700_000_000_000);
    const sw = { id: 'dlv_1', timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] };
    expect(verifyStandardWebhook(body, sw, [current], 1_700_000_000_000 + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyStandardWebhook('{"a":2}', sw, [current], 1_700_000_000_000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyStandardWebhook(body, { id: 'dlv_1' }, [current], 1_700_000_000_000)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyHubSignature('{"a":2}', headers['X-Hub-Signature-256'], [current])).toBe(false);
    expect(verifyHubSignature(body, undefined, [current])).toBe(false);
    expect(verifyHubSignature(body, 'sha256=short', [current])).toBe(false);
  });
});
