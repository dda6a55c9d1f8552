/**
 * Atlassian's personal data reporting (docs "user-privacy-guidelines"): the app stores Atlassian
 * account ids (who started, cancelled, redelivered, tested or acted on a delivery; the AI Ops
 * account and its display name; the author of a result comment; who voted), noted in
 * account-book.ts, so it reports them to `/app/report-accounts` at most once per account every
 * cycle (7 days unless the API names another), and erases what it keeps of an account that was
 * closed. Loaded by the hourly check only. docs/privacy.md lists every personal field.
 */
import { createRequestStargateAsApp } from '@forge/api';
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import type { DeliveryRun } from '../core/enhancement';
import { RUN_ENTITY, updateRun } from '../forge/run-store';
import { loadGlobalSettings, saveGlobalSettings } from '../forge/settings-store';
import { accountKey, ACCOUNT_PREFIX, BATCH, ERASED_ACCOUNT, isAccountId, STATE_KEY, type AccountEntry, type ReportingState } from './account-book';

export { ERASED_ACCOUNT, rememberAccounts } from './account-book';

/** The single index earlier versions kept; split into per-account keys on the first report. */
const LEGACY_INDEX_KEY = 'privacy:accounts';
const DEFAULT_CYCLE_S = 7 * 86_400;
/** Accounts a request may carry (the API's limit), and requests one check sends at most. */
const PER_REQUEST = 90;
const REQUESTS_PER_CHECK = 20;

export interface PersonalDataReport {
  reported: number;
  closed: string[];
  updated: string[];
  /** Accounts due that wait for the next check (this one reached its request limit, or was asked to wait). */
  left?: number;
}

/** Splits the single index of earlier versions into per-account keys (once). */
async function splitLegacyIndex(): Promise<void> {
  const legacy = await kvs.get<Record<string, AccountEntry>>(LEGACY_INDEX_KEY);
  if (!legacy) return;
  const entries = Object.entries(legacy).filter(([id]) => isAccountId(id));
  for (let i = 0; i < entries.length; i += BATCH) {
    await kvs.batchSet(entries.slice(i, i + BATCH).map(([id, entry]) => ({ key: accountKey(id), value: entry })));
  }
  await kvs.delete(LEGACY_INDEX_KEY);
  await kvs.set(STATE_KEY, { nextDue: new Date(0).toISOString() } satisfies ReportingState);
}

type ReportAnswer = { kind: 'answered'; accounts: Array<{ accountId: string; status: string }>; cycleSeconds?: number } | { kind: 'wait'; seconds: number } | { kind: 'failed' };

/**
 * `POST /app/report-accounts`, called directly: `privacy.reportPersonalData` drops the answer's
 * `Cycle-Period` header, which the API may send and the app must then follow.
 */
async function reportAccounts(accounts: Array<{ accountId: string; updatedAt: string }>): Promise<ReportAnswer> {
  const response = await createRequestStargateAsApp()('/app/report-accounts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accounts }),
  });
  const period = Number(response.headers.get('Cycle-Period'));
  const cycleSeconds = Number.isInteger(period) && period > 0 ? period : undefined;
  if (response.status === 204) return { kind: 'answered', accounts: [], cycleSeconds };
  if (response.status === 200) {
    const body = (await response.json().catch(() => ({}))) as { accounts?: Array<{ accountId: string; status: string }> };
    return { kind: 'answered', accounts: Array.isArray(body.accounts) ? body.accounts : [], cycleSeconds };
  }
  if (response.status === 429) return { kind: 'wait', seconds: Math.max(60, Number(response.headers.get('Retry-After')) || 3_600) };
  return { kind: 'failed' };
}

/**
 * Reports the accounts due this cycle (90 a request, at most 20 requests a check; the rest wait for
 * the next hourly check) and acts on the answers. Costs one read while nothing is due.
 */
export async function reportPersonalData(nowMs = Date.now()): Promise<PersonalDataReport> {
  const report: PersonalDataReport = { reported: 0, closed: [], updated: [] };
  await splitLegacyIndex();
  const state = (await kvs.get<ReportingState>(STATE_KEY)) ?? { nextDue: new Date(0).toISOString() };
  if (Date.parse(state.nextDue) > nowMs || (state.notBefore && Date.parse(state.notBefore) > nowMs)) return report;
  let cycleMs = (state.cycleSeconds ?? DEFAULT_CYCLE_S) * 1000;
  const due: Array<{ id: string; entry: AccountEntry }> = [];
  let nextDue = Infinity;
  let cursor: string | undefined;
  do {
    let query = kvs.query().where('key', WhereConditions.beginsWith(ACCOUNT_PREFIX)).limit(100);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany<AccountEntry>();
    for (const row of page.results) {
      const id = row.key.slice(ACCOUNT_PREFIX.length);
      const dueAt = row.value.reportedAt ? Date.parse(row.value.reportedAt) + cycleMs : 0;
      if (dueAt <= nowMs) due.push({ id, entry: row.value });
      else nextDue = Math.min(nextDue, dueAt);
    }
    cursor = page.nextCursor;
  } while (cursor);
  const at = new Date(nowMs).toISOString();
  let requests = 0;
  let notBefore: string | undefined;
  while (due.length > 0 && requests < REQUESTS_PER_CHECK) {
    const batch = due.slice(0, PER_REQUEST);
    const answer = await reportAccounts(batch.map(({ id, entry }) => ({ accountId: id, updatedAt: entry.seenAt })));
    requests += 1;
    if (answer.kind === 'wait') {
      notBefore = new Date(nowMs + answer.seconds * 1000).toISOString();
      break;
    }
    if (answer.kind === 'failed') break;
    due.splice(0, batch.length);
    if (answer.cycleSeconds) cycleMs = answer.cycleSeconds * 1000;
    const closed = new Set(answer.accounts.filter((a) => a.status === 'closed').map((a) => a.accountId));
    const updated = new Set(answer.accounts.filter((a) => a.status === 'updated').map((a) => a.accountId));
    for (const id of closed) await eraseAccount(id);
    // The profile changed: the copies of its name the app kept are dropped, not refreshed (that
    // would need the read:jira-user scope); the next comment by the account brings the new name.
    for (const id of updated) await eraseAccount(id, 'name');
    const kept = batch.filter(({ id }) => !closed.has(id));
    for (let i = 0; i < kept.length; i += BATCH) {
      await kvs.batchSet(kept.slice(i, i + BATCH).map(({ id, entry }) => ({ key: accountKey(id), value: { seenAt: updated.has(id) ? at : entry.seenAt, reportedAt: at } satisfies AccountEntry })));
    }
    for (const id of closed) await kvs.delete(accountKey(id));
    report.reported += batch.length;
    report.closed.push(...closed);
    report.updated.push(...updated);
    if (kept.length > 0) nextDue = Math.min(nextDue, nowMs + cycleMs);
  }
  // Accounts still due (limit reached, a failure, or asked to wait) are due at the next check.
  if (due.length > 0) {
    report.left = due.length;
    nextDue = nowMs;
  }
  await kvs.set(STATE_KEY, {
    nextDue: new Date(Number.isFinite(nextDue) ? nextDue : nowMs + cycleMs).toISOString(),
    cycleSeconds: cycleMs / 1000,
    ...(notBefore ? { notBefore } : {}),
  } satisfies ReportingState);
  return report;
}

/**
 * Erases a closed account (`what: 'account'`: its id and name) or only the copies of its name
 * (`'name'`, after a profile change) from the settings and from every run and bulk run naming it.
 */
export async function eraseAccount(accountId: string, what: 'account' | 'name' = 'account'): Promise<number> {
  const settings = await loadGlobalSettings();
  if (settings?.resultAccount?.accountId === accountId) {
    const { resultAccount, ...rest } = settings;
    // A closed AI Ops account: comment results stop until an admin names its successor.
    await saveGlobalSettings(what === 'account' ? rest : { ...rest, resultAccount: { accountId: resultAccount.accountId } });
  }
  if (what === 'name') return rewriteRuns((run) => keepsName(run, accountId), (run) => withoutName(run, accountId));
  let erased = 0;
  // Bulk runs (kept 30 days) name who started them.
  const bulks = await kvs.query().where('key', WhereConditions.beginsWith('bulk:')).limit(100).getMany<{ requestedBy?: string }>();
  for (const row of bulks.results) {
    if (row.value.requestedBy !== accountId) continue;
    await kvs.set(row.key, { ...row.value, requestedBy: ERASED_ACCOUNT }, { ttl: { value: 30, unit: 'DAYS' } });
    erased += 1;
  }
  return erased + (await rewriteRuns((run) => namesAccount(run, accountId), (run) => withoutAccount(run, accountId)));
}

/** Rewrites every stored run that `matches` (a rare walk: only when Atlassian reports an account). */
async function rewriteRuns(matches: (run: DeliveryRun) => boolean, rewrite: (run: DeliveryRun) => DeliveryRun): Promise<number> {
  let changed = 0;
  let cursor: string | undefined;
  do {
    let query = kvs.entity<{ record: DeliveryRun; version: number }>(RUN_ENTITY).query().index('by-created').sort(Sort.ASC).limit(100);
    if (cursor) query = query.cursor(cursor);
    const page = await query.getMany();
    for (const row of page.results) {
      if (!matches(row.value.record)) continue;
      await updateRun(row.key, (run) => (matches(run) ? rewrite(run) : undefined), { run: row.value.record, version: row.value.version });
      changed += 1;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return changed;
}

function keepsName(run: DeliveryRun, accountId: string): boolean {
  const result = run.result as { authorAccountId?: string; authorName?: string } | undefined;
  return (run.resultAccount?.accountId === accountId && run.resultAccount.displayName !== undefined) || (result?.authorAccountId === accountId && result.authorName !== undefined);
}

function withoutName(run: DeliveryRun, accountId: string): DeliveryRun {
  const next: DeliveryRun = { ...run };
  if (next.resultAccount?.accountId === accountId) next.resultAccount = { accountId };
  const result = next.result as { authorAccountId?: string; authorName?: string } | undefined;
  if (result && typeof result === 'object' && result.authorAccountId === accountId) next.result = { ...result, authorName: undefined } as DeliveryRun['result'];
  return next;
}

function namesAccount(run: DeliveryRun, accountId: string): boolean {
  const result = run.result as { authorAccountId?: string } | undefined;
  return (
    run.requestedBy === accountId ||
    run.resultAccount?.accountId === accountId ||
    result?.authorAccountId === accountId ||
    Boolean(run.actions?.some((action) => action.by === accountId)) ||
    Boolean(run.feedback && accountId in run.feedback)
  );
}

function withoutAccount(run: DeliveryRun, accountId: string): DeliveryRun {
  const next: DeliveryRun = { ...run };
  if (next.requestedBy === accountId) next.requestedBy = ERASED_ACCOUNT;
  if (next.resultAccount?.accountId === accountId) next.resultAccount = { accountId: ERASED_ACCOUNT };
  const result = next.result as { authorAccountId?: string; authorName?: string } | undefined;
  if (result && typeof result === 'object' && result.authorAccountId === accountId) {
    next.result = { ...result, authorAccountId: ERASED_ACCOUNT, authorName: undefined } as DeliveryRun['result'];
  }
  if (next.actions?.some((action) => action.by === accountId)) next.actions = next.actions.map((action) => (action.by === accountId ? { ...action, by: ERASED_ACCOUNT } : action));
  if (next.feedback && accountId in next.feedback) {
    // The vote still counts; nothing says whose it was.
    const { [accountId]: vote, ...others } = next.feedback;
    let n = 1;
    while (`${ERASED_ACCOUNT}-${n}` in others) n += 1;
    next.feedback = { ...others, [`${ERASED_ACCOUNT}-${n}`]: vote };
  }
  return next;
}
