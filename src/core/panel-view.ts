import type { FailureCause } from './delivery-policy';
import type { Eligibility } from './eligibility';
import { attemptCount, isCommentResult, isFinished, type DeliveryRun, type EnhancementResult, type RunStatus } from './enhancement';
import { commentDocument, markdownDocument, type AdfDoc } from './result-document';
import { isOverdue } from './run-deadlines';

/**
 * What the issue panel shows, computed from the runs of an issue: status words and colours, the
 * result as ADF ready for AdfRenderer, why nothing ran when nothing did, and a failure worded for
 * the person reading it.
 */

export type { AdfDoc };

export type LozengeAppearance = 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success';

/** Who reads the panel: a Jira admin can fix the connection, a project admin the project's settings. */
export type Audience = 'jira-admin' | 'project-admin' | 'member';

export interface ResultSection {
  title: string;
  document: AdfDoc;
}

/** A result comment as read from Jira for this reader (undefined body: gone or not visible to them). */
export interface CommentRead {
  body?: unknown;
  authorName?: string;
  created?: string;
  updated?: string;
  visible: boolean;
}

export interface ResultView {
  sections: ResultSection[];
  /** Where the result came from, in words, with a link when it is a Jira comment. */
  source: string;
  /** When the comment was posted (ISO), for the reader's own clock; and whether it was edited since. */
  postedAt?: string;
  edited?: boolean;
  link?: string;
  notice?: string;
}

export interface RunSummary {
  deliveryId: string;
  issueId: string;
  issueKey: string;
  projectKey: string;
  latencyMs?: number;
  status: RunStatus;
  label: string;
  appearance: LozengeAppearance;
  trigger: string;
  createdAt: string;
  finishedAt?: string;
  executionId?: string;
  attempts: number;
  attemptLimit: number;
  /** "1 attempt", "2 of 5 attempts": never "1 of 5" for a run that has finished. */
  attemptsLabel: string;
  httpStatus?: number;
  reason?: string;
  failureCause?: FailureCause;
  /** One line about the result, for tables and history rows. */
  resultSummary?: string;
}

export interface PanelView {
  issueKey: string;
  /** Status of the newest run, or "not sent" with why. */
  status: { label: string; appearance: LozengeAppearance; detail?: string };
  current?: RunSummary & { nextAttemptAt?: string; result?: ResultView };
  /** While a new run is under way, the result of the last completed run stays readable. */
  previousResult?: ResultView & { deliveryId: string; completedAt?: string };
  history: RunSummary[];
  finished: boolean;
  /** Unfinished past its deadline: the panel stops polling; the scheduled check moves it on. */
  overdue: boolean;
  canRunAgain: boolean;
  /** False when the cause is the configuration: running again would fail the same way. */
  runAgainIsPrimary: boolean;
  /** The failure in the reader's terms (agents and viewers see whom to ask, admins the technical reason). */
  failure?: { title: string; text: string; fixWhere?: 'admin-page' | 'project-settings' };
  /** Shown to project admins with the reason nothing ran. */
  settingsHint?: string;
  channel: string;
  realtimeToken?: string;
}

const LABELS: Record<RunStatus, [string, LozengeAppearance]> = {
  skipped: ['Skipped', 'default'],
  queued: ['Queued', 'new'],
  retrying: ['Retrying', 'moved'],
  waiting: ['Waiting for AI Ops', 'moved'],
  accepted: ['Queued at AI Ops', 'new'],
  running: ['Running', 'inprogress'],
  completed: ['Completed', 'success'],
  failed: ['Failed', 'removed'],
  'timed-out': ['Timed out', 'removed'],
  superseded: ['Superseded', 'default'],
  cancelled: ['Cancelled', 'default'],
};

const TRIGGERS: Record<string, string> = { created: 'Created', updated: 'Edited', rerun: 'Run again', redeliver: 'Redelivered', test: 'Test', bulk: 'Existing ticket', automation: 'Automation' };

function label(run: DeliveryRun): string {
  if (run.status === 'retrying') return `Retrying (attempt ${attemptCount(run) + 1} of ${run.attemptLimit})`;
  return LABELS[run.status][0];
}

function attemptsLabel(run: DeliveryRun): string {
  const n = attemptCount(run);
  if (run.status === 'retrying' || run.status === 'queued') return `${n} of ${run.attemptLimit} attempts`;
  return `${n} attempt${n === 1 ? '' : 's'}`;
}

function resultSummary(result: EnhancementResult | undefined): string | undefined {
  if (result === undefined) return undefined;
  if (isCommentResult(result)) {
    const who = result.authorName ?? 'the AI Ops account';
    return result.deleted ? `Comment by ${who} (since deleted)` : `Comment by ${who}`;
  }
  const text = typeof result === 'string' ? result : Object.entries(result).map(([title, body]) => `${title}: ${body}`).join(' · ');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function runSummary(run: DeliveryRun): RunSummary {
  return {
    deliveryId: run.deliveryId,
    issueId: run.issueId,
    issueKey: run.issueKey,
    projectKey: run.projectKey,
    latencyMs: run.latencyMs,
    status: run.status,
    label: label(run),
    appearance: LABELS[run.status][1],
    trigger: run.trigger === 'automation' && run.automationRule ? `Automation: ${run.automationRule}` : (TRIGGERS[run.trigger] ?? run.trigger),
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    executionId: run.executionId,
    attempts: attemptCount(run),
    attemptLimit: run.attemptLimit,
    attemptsLabel: attemptsLabel(run),
    httpStatus: run.httpStatus,
    reason: run.reason ? sentence(run.reason) : undefined,
    failureCause: run.failureCause,
    resultSummary: resultSummary(run.result),
  };
}

/** Reasons are stored as clauses; people read them as sentences. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…)]$/.test(capital) ? capital : `${capital}.`;
}

/** Markdown becomes ADF; named sections become one titled document each. */
export function resultSections(result: Exclude<EnhancementResult, { kind: 'comment' }>): ResultSection[] {
  if (typeof result === 'string') return [{ title: 'Analysis', document: markdownDocument(result) }];
  return Object.entries(result).map(([title, body]) => ({ title, document: markdownDocument(body) }));
}

function commentLink(siteUrl: string | undefined, issueKey: string, commentId: string): string | undefined {
  return siteUrl ? `${siteUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(issueKey)}?focusedCommentId=${encodeURIComponent(commentId)}` : undefined;
}

/** The result of a completed run, as this reader may see it. */
export function resultView(run: DeliveryRun, comment: CommentRead | undefined, siteUrl: string | undefined): ResultView | undefined {
  const result = run.result;
  if (result === undefined) return undefined;
  if (!isCommentResult(result)) {
    return { sections: resultSections(result), source: run.resultMode === 'poll' ? 'Fetched from the AI Ops status URL' : 'Sent back by AI Ops' };
  }
  const who = comment?.authorName ?? result.authorName ?? 'the AI Ops account';
  const link = commentLink(siteUrl, run.issueKey, result.commentId);
  const when = comment?.created ?? result.created;
  const edited = Boolean((comment?.updated ?? result.updated) && (comment?.updated ?? result.updated) !== when);
  const postedAt = Number.isNaN(Date.parse(when)) ? undefined : new Date(Date.parse(when)).toISOString();
  const meta = { source: `Posted as a comment by ${who}`, postedAt, edited };
  if (result.deleted || (comment && !comment.visible)) {
    return {
      sections: [],
      ...meta,
      notice: result.deleted ? 'The AI Ops comment with this result was deleted.' : 'The AI Ops comment is not visible to you.',
    };
  }
  if (!comment?.body) return { sections: [], ...meta, link, notice: 'The AI Ops comment could not be read just now.' };
  return { sections: [{ title: 'Analysis', document: commentDocument(comment.body) }], ...meta, link };
}

const MEMBER_WORDING: Record<FailureCause, string> = {
  configuration: 'The AI Ops connection needs attention; a Jira admin has been shown how to fix it.',
  payload: 'The AI Ops agent did not accept this ticket; its owner has been shown why.',
  outage: 'AI Ops could not be reached for long enough that this delivery stopped. Ask a Jira admin to redeliver it once AI Ops is back.',
  agent: 'The Ticket Enhancer did not finish its analysis. You can run it again.',
  issue: 'The issue changed before it could be sent.',
  user: 'The run was stopped by a user.',
};

function failureFor(run: DeliveryRun, audience: Audience): PanelView['failure'] {
  if (run.status !== 'failed' && run.status !== 'timed-out') return undefined;
  const cause = run.failureCause ?? (run.status === 'timed-out' ? 'agent' : 'configuration');
  const title = run.status === 'timed-out' ? 'Timed out' : 'Failed';
  const fixWhere = cause === 'configuration' || cause === 'payload' ? (run.secretScope?.kind === 'project' ? 'project-settings' : 'admin-page') : undefined;
  if (audience === 'member') return { title, text: MEMBER_WORDING[cause] };
  if (audience === 'project-admin' && fixWhere === 'admin-page') {
    return { title, text: `${sentence(run.reason ?? 'No reason was given')} A Jira admin can fix this on the app's admin page.` };
  }
  return { title, text: sentence(run.reason ?? 'No reason was given'), fixWhere: audience === 'jira-admin' || fixWhere === 'project-settings' ? fixWhere : undefined };
}

export interface PanelInput {
  issueKey: string;
  runs: DeliveryRun[];
  eligibility: Eligibility;
  canRunAgain: boolean;
  canConfigure: boolean;
  audience: Audience;
  channel: string;
  realtimeToken?: string;
  nowMs: number;
  siteUrl?: string;
  /** Result comments read from Jira as this user, by comment id. */
  comments?: Record<string, CommentRead>;
}

export function panelView(input: PanelInput): PanelView {
  const [newest, ...older] = input.runs;
  const realtime = { channel: input.channel, realtimeToken: input.realtimeToken };
  if (!newest) {
    const why = input.eligibility.eligible ? 'no delivery has been recorded for this issue yet' : input.eligibility.reason;
    return {
      issueKey: input.issueKey,
      status: { label: 'Not sent', appearance: 'default', detail: why },
      history: [],
      finished: true,
      overdue: false,
      canRunAgain: input.canRunAgain && input.eligibility.eligible,
      runAgainIsPrimary: true,
      settingsHint: input.canConfigure && !input.eligibility.eligible ? 'Change this on the project settings page: Project settings > Apps > AI Ops Ticket Enhancer.' : undefined,
      ...realtime,
    };
  }
  const commentOf = (run: DeliveryRun) => (isCommentResult(run.result) ? input.comments?.[run.result.commentId] : undefined);
  const finished = isFinished(newest.status);
  const current = {
    ...runSummary(newest),
    nextAttemptAt: newest.nextAttemptAt,
    result: newest.status === 'completed' ? resultView(newest, commentOf(newest), input.siteUrl) : undefined,
  };
  const lastCompleted = newest.status === 'completed' ? undefined : older.find((run) => run.status === 'completed');
  const previous = lastCompleted ? resultView(lastCompleted, commentOf(lastCompleted), input.siteUrl) : undefined;
  const failure = failureFor(newest, input.audience);
  const configurationCause = (newest.status === 'failed' || newest.status === 'timed-out') && (newest.failureCause === 'configuration' || newest.failureCause === 'payload');
  return {
    issueKey: input.issueKey,
    status: { label: current.label, appearance: current.appearance, detail: failure?.text ?? current.reason },
    current,
    previousResult: previous && lastCompleted ? { ...previous, deliveryId: lastCompleted.deliveryId, completedAt: lastCompleted.finishedAt } : undefined,
    history: older.map(runSummary),
    finished,
    overdue: !finished && isOverdue(newest, input.nowMs),
    canRunAgain: input.canRunAgain,
    runAgainIsPrimary: !configurationCause,
    failure,
    ...realtime,
  };
}
