/**
 * Atlassian's personal data reporting (docs "user-privacy-guidelines"): the app stores Atlassian
 * account ids (who re-ran, cancelled, redelivered or tested a delivery; the AI Ops account and its
 * display name; the author of a result comment), so it reports them with
 * `privacy.reportPersonalData` at most once per account every cycle (7 days unless the API says
 * otherwise), and erases what it keeps of an account that was closed. docs/privacy.md lists every
 * personal field.
 */
import { privacy } from '@forge/api';
import { kvs, Sort, WhereConditions } from '@forge/kvs';
import type { DeliveryRun } from '../core/enhancement';
import { RUN_ENTITY, updateRun } from '../forge/run-store';
import { loadGlobalSettings, saveGlobalSettings } from '../forge/settings-store';

const INDEX_KEY = 'privacy:accounts';
const CYCLE_MS = 7 * 86_400_000;
/** What replaces an erased account id in stored runs. */
export const ERASED_ACCOUNT = 'erased-account';

interface AccountEntry {
  /** When the app last stored or refreshed this account's data (reported as `updatedAt`). */
  seenAt: string;
  reportedAt?: string;
}

type AccountIndex = Record<string, AccountEntry>;

const isAccountId = (id: string | undefined): id is string => typeof id === 'string' && id.length > 0 && id !== ERASED_ACCOUNT;

/** Notes accounts whose data the app now stores (a human action, or the admin choosing the AI Ops account). */
export async function rememberAccounts(ids: Array<string | undefined>, nowMs = Date.now()): Promise<void> {
  const fresh = [...new Set(ids.filter(isAccountId))];
  if (fresh.length === 0) return;
  const index = (await kvs.get<AccountIndex>(INDEX_KEY)) ?? {};
  const missing = fresh.filter((id) => !index[id]);
  if (missing.length === 0) return;
  for (const id of missing) index[id] = { seenAt: new Date(nowMs).toISOString() };
  await kvs.set(INDEX_KEY, index);
}

export interface PersonalDataReport {
  reported: number;
  closed: string[];
  updated: string[];
}

/** Reports the accounts due this cycle (90 a request, as the API takes) and acts on the answers. */
export async function reportPersonalData(nowMs = Date.now()): Promise<PersonalDataReport> {
  const index = (await kvs.get<AccountIndex>(INDEX_KEY)) ?? {};
  const due = Object.entries(index).filter(([, entry]) => !entry.reportedAt || nowMs - Date.parse(entry.reportedAt) >= CYCLE_MS);
  const report: PersonalDataReport = { reported: 0, closed: [], updated: [] };
  if (due.length === 0) return report;
  const answers = await privacy.reportPersonalData(due.map(([accountId, entry]) => ({ accountId, updatedAt: entry.seenAt })));
  const at = new Date(nowMs).toISOString();
  for (const [accountId] of due) index[accountId] = { ...index[accountId], reportedAt: at };
  report.reported = due.length;
  for (const answer of answers) {
    if (answer.status === 'closed') {
      await eraseAccount(answer.accountId);
      delete index[answer.accountId];
      report.closed.push(answer.accountId);
    } else if (answer.status === 'updated') {
      // The profile changed: the copies of its name the app kept are dropped, not refreshed (that
      // would need the read:jira-user scope); the next comment by the account brings the new name.
      await eraseAccount(answer.accountId, 'name');
      if (index[answer.accountId]) index[answer.accountId].seenAt = at;
      report.updated.push(answer.accountId);
    }
  }
  await kvs.set(INDEX_KEY, index);
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
