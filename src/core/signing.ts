import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the shared secret text becomes HMAC key bytes.
 * - `base64`: the AI Ops server runs Python's non-strict `base64.b64decode(secret)`.
 * - `utf8`: the secret text itself (GitHub's convention).
 */
export type KeyEncoding = 'base64' | 'utf8';

/** Why a secret cannot be used: `key` names its text in src/locales (`secret.*`), `message` is that text in English. */
export class SecretFormatError extends Error {
  constructor(
    readonly key: 'secret.empty' | 'secret.notAscii' | 'secret.noKeyBytes' | 'secret.base64Count' | 'secret.base64Padding' | 'secret.none',
    message: string,
  ) {
    super(message);
    this.name = 'SecretFormatError';
  }
}

const BASE64_VALUES = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));
export const MIN_KEY_BYTES = 16;

/**
 * Mirrors CPython's `base64.b64decode(s)` (`binascii.a2b_base64` with strict_mode off), which is
 * what the AI Ops server runs: a text that is not ASCII is an error, characters outside the
 * alphabet are skipped, a complete pad sequence ends the input, and a dangling quad is an error.
 */
export function decodeBase64LikePython(secret: string): Buffer {
  // `b64decode` encodes a str as ASCII first: any other character raises.
  if (/[^\x00-\x7f]/.test(secret)) throw new SecretFormatError('secret.notAscii', 'the HMAC secret is not valid base64: it contains characters that are not ASCII');
  const out: number[] = [];
  let quadPos = 0;
  let leftChar = 0;
  let pads = 0;
  for (const ch of secret) {
    if (ch === '=') {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return Buffer.from(out);
      continue;
    }
    const value = BASE64_VALUES.get(ch);
    if (value === undefined) continue;
    pads = 0;
    switch (quadPos) {
      case 0:
        quadPos = 1;
        leftChar = value;
        break;
      case 1:
        quadPos = 2;
        out.push((leftChar << 2) | (value >> 4));
        leftChar = value & 0x0f;
        break;
      case 2:
        quadPos = 3;
        out.push((leftChar << 4) | (value >> 2));
        leftChar = value & 0x03;
        break;
      default:
        quadPos = 0;
        out.push((leftChar << 6) | value);
        leftChar = 0;
    }
  }
  if (quadPos === 1) {
    throw new SecretFormatError('secret.base64Count', 'the HMAC secret is not valid base64: its count of base64 characters is one more than a multiple of 4');
  }
  if (quadPos !== 0) throw new SecretFormatError('secret.base64Padding', 'the HMAC secret is not valid base64: incorrect "=" padding');
  return Buffer.from(out);
}

/** Key bytes for a secret; throws SecretFormatError with a reason an admin can act on. */
export function secretToKey(secret: string, encoding: KeyEncoding): Buffer {
  if (secret.length === 0) throw new SecretFormatError('secret.empty', 'the HMAC secret is empty');
  const key = encoding === 'base64' ? decodeBase64LikePython(secret) : Buffer.from(secret, 'utf8');
  if (key.length === 0) throw new SecretFormatError('secret.noKeyBytes', 'the HMAC secret decodes to no key bytes');
  return key;
}

/** Short, non-reversible identifier of a key so admins can tell secrets apart. */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** `sha256=<hex>` over the exact body bytes: what the AI Ops server checks. */
export function hubSignature(body: string | Buffer, key: Buffer): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** Standard Webhooks `webhook-signature` value, one `v1,` entry per active key. */
export function standardWebhookSignature(
  webhookId: string,
  timestampSeconds: number,
  body: string | Buffer,
  keys: readonly Buffer[],
): string {
  const signed = Buffer.concat([Buffer.from(`${webhookId}.${timestampSeconds}.`, 'utf8'), Buffer.from(body)]);
  return keys.map((key) => `v1,${createHmac('sha256', key).update(signed).digest('base64')}`).join(' ');
}

export interface SignedHeaders {
  'Content-Type': 'application/json';
  'X-Hub-Signature-256': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Headers for one outgoing request. `keys[0]` is the current key (used for the AI Ops header);
 * further keys are secrets still inside their rotation grace period.
 */
export function signRequest(body: string, keys: readonly Buffer[], webhookId: string, nowMs: number): SignedHeaders {
  if (keys.length === 0) throw new SecretFormatError('secret.none', 'no HMAC secret is configured');
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'Content-Type': 'application/json',
    'X-Hub-Signature-256': hubSignature(body, keys[0]),
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhookSignature(webhookId, timestamp, body, keys),
  };
}

function equalConstantTime(a: Buffer, b: Buffer): boolean {
  // timingSafeEqual needs equal lengths; comparing digests keeps the time independent of the input.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** Checks `X-Hub-Signature-256` against any of the keys, in constant time per key. */
export function verifyHubSignature(body: string | Buffer, header: string | undefined, keys: readonly Buffer[]): boolean {
  if (!header) return false;
  const given = Buffer.from(header.trim().replace(/^sha256=/, ''), 'utf8');
  let ok = false;
  for (const key of keys) {
    const expected = Buffer.from(hubSignature(body, key).slice('sha256='.length), 'utf8');
    ok = equalConstantTime(given, expected) || ok;
  }
  return ok;
}

export type StandardWebhookCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** Checks the Standard Webhooks headers: timestamp within tolerance and any `v1,` signature matching. */
export function verifyStandardWebhook(
  body: string | Buffer,
  headers: { id?: string; timestamp?: string; signature?: string },
  keys: readonly Buffer[],
  nowMs: number,
  toleranceSeconds = 300,
): StandardWebhookCheck {
  if (!headers.id || !headers.timestamp || !headers.signature) return { ok: false, reason: 'missing' };
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'stale' };
  }
  const candidates = headers.signature
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'utf8'));
  let ok = false;
  for (const key of keys) {
    const expected = Buffer.from(standardWebhookSignature(headers.id, timestamp, body, [key]).slice(3), 'utf8');
    for (const candidate of candidates) ok = equalConstantTime(candidate, expected) || ok;
  }
  return ok ? { ok: true } : { ok: false, reason: 'mismatch' };
}
