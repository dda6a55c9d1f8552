/**
 * Asks AI Ops' execution records what became of a run that has no result yet (the admin's "Ask AI
 * Ops about runs without a result" setting): one history page and at most nine records per lookup
 * (the run's own, up to four, read again, and five new ones).
 * Used by the scheduled check and by the panel's "Check at AI Ops"; it never sends anything.
 */
import {
  entriesToFetch,
  historyPath,
  MAX_PLATFORM_ATTEMPTS,
  readHistory,
  readRecord,
  recordPath,
  runAfterLookup,
  SEEN_KEPT,
  verdict,
  type ExecutionRecord,
  type LookupVerdict,
} from '../core/aiops-lookup';
import type { DeliveryRun, LookupNote } from '../core/enhancement';
import type { EffectiveSettings } from '../core/settings';
import { getStatus } from '../forge/aiops-adapter';
import { publishChange } from '../forge/run-publisher';
import type { StoredRun } from '../forge/run-store';

export interface LookupOutcome {
  found: LookupVerdict | undefined;
  note: LookupNote;
}

type Connection = Pick<EffectiveSettings, 'aiopsBaseUrl' | 'agentId' | 'tenantId' | 'requestTimeoutSeconds'>;

/** Reads the run's records; never throws (an unreachable AI Ops is a note, not an error). */
export async function lookUp(run: DeliveryRun, settings: Connection, nowMs: number, timeoutCapMs = 10_000): Promise<LookupOutcome> {
  const at = new Date(nowMs).toISOString();
  const headers = { 'X-Tenant-ID': settings.tenantId };
  const timeout = Math.min(settings.requestTimeoutSeconds * 1000, timeoutCapMs);
  const acceptedAtMs = Date.parse(run.acceptedAt ?? run.createdAt);
  const ours = new Set(run.lookup?.ours ?? []);
  const seen = new Set(run.lookup?.seen ?? []);
  let requests = 1;
  const history = readHistory(await getStatus(`${settings.aiopsBaseUrl}${historyPath(settings.agentId, acceptedAtMs)}`, headers, timeout));
  if (!history.ok) return { found: undefined, note: { at, found: history.unavailable ? 'unavailable' : 'none', detail: history.reason, requests, ours: [...ours], seen: [...seen].slice(-SEEN_KEPT) } };
  const records: ExecutionRecord[] = [];
  // Records already known to be this run's are read again: their status is what counts.
  const known = history.value.filter((entry) => ours.has(entry.recordId));
  const fresh = entriesToFetch(history.value, acceptedAtMs, new Set([...seen, ...ours]));
  // At most four known records (the platform's attempts) and five new ones: ten requests in all.
  for (const entry of [...known.slice(0, MAX_PLATFORM_ATTEMPTS), ...fresh]) {
    requests += 1;
    const record = readRecord(await getStatus(`${settings.aiopsBaseUrl}${recordPath(entry.recordId)}`, headers, timeout));
    if (!record.ok) {
      if (record.unavailable && record.reason.includes('401')) return { found: undefined, note: { at, found: 'unavailable', detail: record.reason, requests, ours: [...ours], seen: [...seen].slice(-SEEN_KEPT) } };
      continue;
    }
    if (record.value.taskId && record.value.taskId === run.executionId) {
      ours.add(record.value.id);
      records.push(record.value);
    } else {
      seen.add(record.value.id);
    }
  }
  const pastDeadline = run.resultDeadline !== undefined && nowMs >= Date.parse(run.resultDeadline);
  const found = verdict(records, nowMs, pastDeadline);
  const note: LookupNote = {
    at,
    found: found.kind === 'completed' ? 'completed' : found.kind === 'none' ? 'none' : 'failed',
    attempts: records.length,
    requests,
    ...(found.kind === 'failed' || found.kind === 'retrying' ? { detail: found.record.errorMessage } : {}),
    ...(found.kind === 'completed' && found.trace.commentError ? { detail: found.trace.commentError } : {}),
    ours: [...ours],
    seen: [...seen].slice(-SEEN_KEPT),
  };
  return { found, note };
}

/** Looks the run up and records what it found; the stored run after, if it changed. */
export async function lookUpAndRecord(
  run: DeliveryRun,
  settings: Connection,
  nowMs: number,
  options: { known?: StoredRun; mirror?: boolean; timeoutCapMs?: number } = {},
): Promise<{ outcome: LookupOutcome; saved?: StoredRun }> {
  const outcome = await lookUp(run, settings, nowMs, options.timeoutCapMs);
  const waiting = (current: DeliveryRun) => ['accepted', 'running', 'timed-out'].includes(current.status);
  const saved = await publishChange(
    run.deliveryId,
    (current) => {
      if (!waiting(current)) return undefined;
      return outcome.found ? runAfterLookup(current, outcome.found, outcome.note, nowMs) : { ...current, lookup: outcome.note, updatedAt: new Date(nowMs).toISOString() };
    },
    options.known,
    { mirror: options.mirror },
  );
  return { outcome, saved };
}
