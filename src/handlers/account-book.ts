/**
 * Which Atlassian accounts the app keeps data of (docs/privacy.md): one small key per account,
 * noted by every action that stores an account id. Reporting and erasure (personal-data.ts) read
 * them hourly; this part is all the pages and queue jobs load.
 */
import { kvs } from '@forge/kvs';

/** One key per account, so the bookkeeping grows by a small value per person, never into one value's limit. */
export const ACCOUNT_PREFIX = 'privacy:account:';
/** When the next account falls due, and the cycle period the API last asked for. */
export const STATE_KEY = 'privacy:state';
/** Keys a batched KVS read or write takes. */
export const BATCH = 25;
/** What replaces an erased account id in stored runs. */
export const ERASED_ACCOUNT = 'erased-account';

export interface AccountEntry {
  /** When the app last stored or refreshed this account's data (reported as `updatedAt`). */
  seenAt: string;
  reportedAt?: string;
}

export interface ReportingState {
  /** No account is due before this time (ISO); a new account makes it now. */
  nextDue: string;
  /** The cycle period in seconds, from the API's `Cycle-Period` header (7 days until it names one). */
  cycleSeconds?: number;
  /** Set after a 429: no report before this time. */
  notBefore?: string;
}

/** Ids the app never reports: placeholders for an erased or unknown account, and anything that cannot be an account id. */
export const isAccountId = (id: string | undefined): id is string =>
  typeof id === 'string' && /^[A-Za-z0-9:_-]{1,128}$/.test(id) && id !== ERASED_ACCOUNT && !id.startsWith(`${ERASED_ACCOUNT}-`) && id !== 'unknown';

export const accountKey = (id: string) => `${ACCOUNT_PREFIX}${id}`;

/** Notes accounts whose data the app now stores (a human action, or the admin choosing the AI Ops account). */
export async function rememberAccounts(ids: Array<string | undefined>, nowMs = Date.now()): Promise<void> {
  const fresh = [...new Set(ids.filter(isAccountId))];
  if (fresh.length === 0) return;
  const known = new Set<string>();
  for (let i = 0; i < fresh.length; i += BATCH) {
    const got = await kvs.batchGet<AccountEntry>(fresh.slice(i, i + BATCH).map((id) => ({ key: accountKey(id) })));
    for (const row of got.successfulKeys) if (row.value) known.add(row.key);
  }
  const missing = fresh.filter((id) => !known.has(accountKey(id)));
  if (missing.length === 0) return;
  const seenAt = new Date(nowMs).toISOString();
  for (let i = 0; i < missing.length; i += BATCH) {
    await kvs.batchSet(missing.slice(i, i + BATCH).map((id) => ({ key: accountKey(id), value: { seenAt } satisfies AccountEntry })));
  }
  // A new account is due at once: the next hourly check reports it.
  const state = await kvs.get<ReportingState>(STATE_KEY);
  if (!state || Date.parse(state.nextDue) > nowMs) await kvs.set(STATE_KEY, { ...(state ?? {}), nextDue: seenAt } satisfies ReportingState);
}
