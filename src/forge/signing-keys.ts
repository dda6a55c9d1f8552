/** Turns the stored secrets of a connection into HMAC key bytes (current first). */
import { inEnglish } from '../core/english';
import { SecretFormatError, secretToKey, type KeyEncoding } from '../core/signing';
import type { SecretScope } from '../core/settings';
import { readSecret } from './settings-store';

export type SigningKeys = { ok: true; keys: Buffer[] } | { ok: false; reason: string };

export async function signingKeys(scope: SecretScope, encoding: KeyEncoding, previousUntil?: string, nowMs = Date.now()): Promise<SigningKeys> {
  const inGrace = previousUntil !== undefined && Date.parse(previousUntil) > nowMs;
  const [current, previous] = await Promise.all([readSecret(scope, 'current'), inGrace ? readSecret(scope, 'previous') : undefined]);
  const where = scope.kind === 'global' ? 'Site' : 'Project';
  if (!current) return { ok: false, reason: inEnglish({ key: `reason.noSecret${where}` }) };
  try {
    const keys = [secretToKey(current, encoding)];
    if (previous) keys.push(secretToKey(previous, encoding));
    return { ok: true, keys };
  } catch (error) {
    if (error instanceof SecretFormatError) {
      return { ok: false, reason: inEnglish({ key: `reason.secretFormat${where}`, params: { encoding, error: error.message } }) };
    }
    throw error;
  }
}
