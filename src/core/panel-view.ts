import type { FailureCause } from './delivery-policy';
import type { Eligibility } from './eligibility';
import { attemptCount, isCommentResult, isFinished, sectionsOf, type DeliveryRun, type EnhancementResult, type RunStatus } from './enhancement';
import { commentDocument, markdownDocument, type AdfDoc } from './result-document';
import { adfToPlainText, type AdfNode } from './adf-text';
import { english } from './english';
import { wordReason } from './reason-words';
import type { Translate } from './i18n';
import { isOverdue } from './run-deadlines';
import { withoutMarker } from './run-marker';
import { sectionsByHeading, withoutSuggestionsBlock, type AdfDocLike } from './analysis';
import { resultExtras, type ResultExtras } from './result-extras';

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
  /** The one untitled analysis (a plain result or a comment): its heading is left out. */
  primary?: boolean;
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
  /** The analysis in a few lines: the first paragraphs of text, headings left out (the issue context shows it). */
  shortText?: string;
  /** A warning every reader needs: customers can see the comment. */
  warning?: string;
  /** The run the result belongs to (what actions on it name). */
  deliveryId?: string;
  /** Sections split at the analysis's headings: the first open, the others one click away. */
  structured?: boolean;
  /** Issues it names, its suggestions, the missing information, feedback, what was done. */
  extras?: ResultExtras;
}

/** The reader, for their own feedback. */
export interface ReaderFacts {
  accountId?: string;
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
  /** The result comment, when the result is one (history rows link to it). */
  commentLink?: string;
  /** The text of the error page AI Ops answered last, for admins' details. */
  excerpt?: string;
  /** How the result was matched, other comments by AI Ops, what AI Ops' records said: one line each. */
  notes?: RunNote[];
}

export interface RunNote {
  kind: 'match' | 'extra' | 'lookup';
  text: string;
  /** When it happened (ISO), for the reader's clock. */
  at?: string;
  /** The comment it concerns (a link once the site is known). */
  commentId?: string;
  link?: string;
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
  /** Nothing was ever sent: the action reads "Send now". */
  firstRun?: boolean;
  /** The project's filters leave the issue out and this reader (a project admin) may send it anyway: why, worded. */
  override?: { why: string };
  /** Why Run again is not offered to this reader now, when it is not. */
  runAgainOff?: string;
  /** The failure in the reader's terms (agents and viewers see whom to ask, admins the technical reason). */
  failure?: { title: string; text: string; fixWhere?: 'admin-page' | 'project-settings' };
  /** Shown to project admins with the reason nothing ran. */
  settingsHint?: string;
  /** A Jira admin may look the newest run up in AI Ops' records now. */
  canCheckAtAiops?: boolean;
  /** What this reader may do with a result; absent: read only (viewers, a lapsed licence). */
  may?: { apply: boolean; link: boolean; reply: boolean };
  channel: string;
  realtimeToken?: string;
}

const APPEARANCE: Record<RunStatus, LozengeAppearance> = {
  skipped: 'default',
  queued: 'new',
  retrying: 'moved',
  waiting: 'moved',
  accepted: 'new',
  running: 'inprogress',
  completed: 'success',
  failed: 'removed',
  'timed-out': 'removed',
  superseded: 'default',
  cancelled: 'default',
};

function label(run: DeliveryRun, t: Translate): string {
  if (run.status === 'retrying') return t('status.retryingAttempt', { n: attemptCount(run) + 1, limit: run.attemptLimit });
  return t(`status.${run.status}`);
}

function attemptsLabel(run: DeliveryRun, t: Translate): string {
  const n = attemptCount(run);
  if (run.status === 'retrying' || run.status === 'queued') return t('attempts.ofLimit', { n, limit: run.attemptLimit });
  return n === 1 ? t('attempts.one') : t('attempts.many', { n });
}

function resultSummary(result: EnhancementResult | undefined, t: Translate): string | undefined {
  if (result === undefined) return undefined;
  if (isCommentResult(result)) {
    const who = result.authorName ?? t('result.aiopsAccount');
    return result.deleted ? t('result.commentByDeleted', { who }) : t('result.commentBy', { who });
  }
  const text = typeof result === 'string' ? result : (sectionsOf(result) ?? []).map(({ title, body }) => `${title}: ${body}`).join(' · ');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function runSummary(run: DeliveryRun, t: Translate = english): RunSummary {
  return {
    deliveryId: run.deliveryId,
    issueId: run.issueId,
    issueKey: run.issueKey,
    projectKey: run.projectKey,
    latencyMs: run.latencyMs,
    status: run.status,
    label: label(run, t),
    appearance: APPEARANCE[run.status],
    trigger: run.trigger === 'automation' && run.automationRule ? t('trigger.automationRule', { rule: run.automationRule }) : t(`trigger.${run.trigger}`),
    createdAt: run.createdAt,
    // A run that is under way again (resumed after an outage, completed late) has no finish time to show.
    finishedAt: isFinished(run.status) ? run.finishedAt : undefined,
    executionId: run.executionId,
    attempts: attemptCount(run),
    attemptLimit: run.attemptLimit,
    attemptsLabel: attemptsLabel(run, t),
    httpStatus: run.httpStatus,
    reason: run.reason ? sentence(wordReason(run.reason, t)) : undefined,
    failureCause: run.failureCause,
    resultSummary: resultSummary(run.result, t),
    ...(run.attempts.at(-1)?.excerpt ? { excerpt: run.attempts.at(-1)!.excerpt } : {}),
    ...notesOf(run, t),
  };
}

/** One line each: how the result was matched, the AI Ops account's other comments, the last lookup. */
function notesOf(run: DeliveryRun, t: Translate): { notes?: RunNote[] } {
  const notes: RunNote[] = [];
  if (run.matchedBy) notes.push({ kind: 'match', text: t(`result.matchedBy.${run.matchedBy}`) });
  for (const extra of run.extraComments ?? []) notes.push({ kind: 'extra', text: t(`result.extra.${extra.why}`), at: extra.created, commentId: extra.commentId });
  if (run.lookup) {
    const detail = run.lookup.detail ? sentence(run.lookup.detail) : '';
    notes.push({ kind: 'lookup', text: t(`result.lookup.${run.lookup.found}`, { n: run.lookup.attempts ?? 0, detail }).trim(), at: run.lookup.at });
  }
  return notes.length > 0 ? { notes } : {};
}

/** Reasons are stored as clauses; people read them as sentences. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  if (/[.!?…)。！？]$/.test(capital)) return capital;
  // A sentence that ends in Japanese (or Chinese) text ends with that script's full stop.
  return /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]$/.test(capital) ? `${capital}。` : `${capital}.`;
}

/** Markdown becomes ADF; named sections become one titled document each. */
export function resultSections(result: Exclude<EnhancementResult, { kind: 'comment' }>, t: Translate = english, siteUrl?: string): ResultSection[] {
  if (typeof result === 'string') return [{ title: t('result.analysis'), document: markdownDocument(result, siteUrl), primary: true }];
  return (sectionsOf(result) ?? []).map(({ title, body }) => ({ title, document: markdownDocument(body, siteUrl) }));
}

function commentLink(siteUrl: string | undefined, issueKey: string, commentId: string): string | undefined {
  return siteUrl ? `${siteUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(issueKey)}?focusedCommentId=${encodeURIComponent(commentId)}` : undefined;
}

/** The first paragraphs of a result document as plain text, headings left out, up to about 400 characters. */
export function shortTextOf(sections: ResultSection[]): string | undefined {
  const parts: string[] = [];
  const length = () => parts.join(' ').length;
  for (const section of sections) {
    // A section's title leads its first line, as a heading inside one document does.
    let heading: string | undefined = section.primary ? undefined : section.title;
    for (const node of section.document.content as AdfNode[]) {
      if (!node) continue;
      if (node.type === 'heading') {
        heading = adfToPlainText(node).trim() || undefined;
        continue;
      }
      // List markers and line breaks read as noise in one line of text.
      const text = adfToPlainText(node)
        .split('\n')
        .map((line) => line.replace(/^\s*(?:[-*\u2022]|\d+[.)])\s+/, '').trim())
        .filter(Boolean)
        .map((line, i, lines) => (i < lines.length - 1 && !/[.!?:;]$/.test(line) ? `${line};` : line))
        .join(' ');
      if (!text) continue;
      parts.push(heading ? `${heading}: ${text}` : text);
      heading = undefined;
      if (length() >= 400) break;
    }
    if (length() >= 400) break;
  }
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 400) : undefined;
}

/** Splits one analysis document at its headings when it has them: sections to open one by one. */
function structured(document: AdfDoc, t: Translate): { sections: ResultSection[]; structured?: boolean } {
  const split = sectionsByHeading(document as unknown as AdfDocLike, t('result.analysis'));
  if (!split) return { sections: [{ title: t('result.analysis'), document, primary: true }] };
  return { sections: split.map((section) => ({ title: section.title, document: section.document as unknown as AdfDoc })), structured: true };
}

/** What the result offers to act on, for this reader (see result-extras.ts). */
function withExtras(view: ResultView, run: DeliveryRun, body: unknown, reader: ReaderFacts | undefined, t: Translate): ResultView {
  const text = view.sections.map((section) => `${section.title}\n${adfToPlainText(section.document)}`).join('\n');
  const asSections = view.sections.map((section) => ({ title: section.title, document: section.document as unknown as AdfDocLike }));
  return { ...view, extras: resultExtras(run, { body, text, sections: asSections }, reader?.accountId, t) };
}

/** The result of a completed run, as this reader may see it. */
export function resultView(run: DeliveryRun, comment: CommentRead | undefined, siteUrl: string | undefined, t: Translate = english, reader?: ReaderFacts): ResultView | undefined {
  const result = run.result;
  if (result === undefined) return undefined;
  const base = { deliveryId: run.deliveryId };
  if (!isCommentResult(result)) {
    // A Markdown result is split at its headings; named sections are sections already.
    const shown = typeof result === 'string' ? structured(markdownDocument(withoutSuggestionsBlock(result), siteUrl), t) : { sections: resultSections(result, t, siteUrl), structured: true };
    const view: ResultView = run.resultFromRecord
      ? // Never posted to Jira: the panel is the only place it can be read.
        { ...base, ...shown, source: t('result.fromRecord'), notice: t(`result.notPosted.${run.resultFromRecord.why}`, { detail: run.resultFromRecord.detail ?? '' }), shortText: shortTextOf(shown.sections) }
      : { ...base, ...shown, source: run.resultMode === 'poll' ? t('result.fromStatusUrl') : t('result.sentBack'), shortText: shortTextOf(shown.sections) };
    return withExtras(view, run, typeof result === 'string' ? result : undefined, reader, t);
  }
  const who = comment?.authorName ?? result.authorName ?? t('result.aiopsAccount');
  const link = commentLink(siteUrl, run.issueKey, result.commentId);
  const when = comment?.created ?? result.created;
  const edited = Boolean((comment?.updated ?? result.updated) && (comment?.updated ?? result.updated) !== when);
  const postedAt = Number.isNaN(Date.parse(when)) ? undefined : new Date(Date.parse(when)).toISOString();
  const meta = { ...base, source: t('result.postedBy', { who }), postedAt, edited, ...(result.customerVisible && !result.deleted ? { warning: t('result.customerVisible') } : {}) };
  if (result.deleted || (comment && !comment.visible)) {
    return {
      sections: [],
      ...meta,
      notice: result.deleted ? t('result.deleted') : t('result.notVisible'),
    };
  }
  if (!comment?.body) return { sections: [], ...meta, link, notice: t('result.unreadable') };
  // The run marker is for the app, the suggestions block becomes actions: readers see the analysis.
  const document = withoutSuggestionsBlock(commentDocument(withoutSuggestionsBlock(withoutMarker(comment.body)), siteUrl));
  const shown = structured(document, t);
  return withExtras({ ...shown, ...meta, link, shortText: shortTextOf(shown.sections) }, run, comment.body, reader, t);
}

const FAILURE_CAUSES: readonly FailureCause[] = ['configuration', 'payload', 'outage', 'agent', 'issue', 'user'];

function failureFor(run: DeliveryRun, audience: Audience, t: Translate): PanelView['failure'] {
  if (run.status !== 'failed' && run.status !== 'timed-out') return undefined;
  const stored = run.failureCause ?? (run.status === 'timed-out' ? 'agent' : 'configuration');
  const cause = FAILURE_CAUSES.includes(stored) ? stored : 'configuration';
  const title = run.status === 'timed-out' ? t('status.timed-out') : t('status.failed');
  const fixWhere = cause === 'configuration' || cause === 'payload' ? (run.secretScope?.kind === 'project' ? 'project-settings' : 'admin-page') : undefined;
  if (audience === 'member') return { title, text: t(`failure.member.${cause}`) };
  const reason = run.reason ? sentence(wordReason(run.reason, t)) : t('panel.noReason');
  if (audience === 'project-admin' && fixWhere === 'admin-page') return { title, text: t('failure.adminFixes', { reason }) };
  return { title, text: reason, fixWhere: audience === 'jira-admin' || fixWhere === 'project-settings' ? fixWhere : undefined };
}

/**
 * What a reader who administers nothing may see of a run: technical reasons (AI Ops' own error
 * text, addresses, status codes) are left out and replaced by words about what happens next; the
 * resolver never sends them to such a reader.
 */
function forMember<T extends RunSummary>(summary: T, run: DeliveryRun, t: Translate): T {
  const { httpStatus: _h, excerpt: _e, notes, ...withoutNotes } = summary;
  // What AI Ops' records say is for admins; how the result was matched is for everyone.
  const kept = notes?.filter((note) => note.kind !== 'lookup');
  const rest = kept?.length ? { ...withoutNotes, notes: kept } : withoutNotes;
  if (run.status === 'failed' || run.status === 'timed-out') {
    const stored = run.failureCause ?? (run.status === 'timed-out' ? 'agent' : 'configuration');
    return { ...rest, reason: t(`failure.member.${FAILURE_CAUSES.includes(stored) ? stored : 'configuration'}`) } as T;
  }
  if (run.status === 'retrying' || run.status === 'waiting') return { ...rest, reason: t('panel.memberRetrying') } as T;
  return rest as T;
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
  /** The reader may send past the project's filters (a project admin who can edit the issue). */
  canOverride?: boolean;
  /** The admin turned on looking runs up at AI Ops. */
  lookupEnabled?: boolean;
  reader?: ReaderFacts;
  /** What this reader may do with a result (their Jira permissions on the issue). */
  may?: { apply: boolean; link: boolean; reply: boolean };
}

export function panelView(input: PanelInput, t: Translate = english): PanelView {
  const [newest, ...older] = input.runs;
  const realtime = { channel: input.channel, realtimeToken: input.realtimeToken };
  if (!newest) {
    const { eligibility } = input;
    const why = eligibility.eligible ? t('panel.noDeliveryYet') : t(eligibility.why.key, eligibility.why.params);
    const overridable = !eligibility.eligible && eligibility.why.key !== 'eligibility.notEnabled' && Boolean(input.canOverride) && input.canRunAgain;
    return {
      issueKey: input.issueKey,
      status: { label: t('status.notSent'), appearance: 'default', detail: why },
      history: [],
      finished: true,
      overdue: false,
      canRunAgain: input.canRunAgain && eligibility.eligible,
      runAgainIsPrimary: true,
      firstRun: true,
      ...(overridable ? { override: { why } } : {}),
      settingsHint: input.canConfigure && !eligibility.eligible ? t('panel.settingsHint') : undefined,
      ...realtime,
    };
  }
  const commentOf = (run: DeliveryRun) => (isCommentResult(run.result) ? input.comments?.[run.result.commentId] : undefined);
  const finished = isFinished(newest.status);
  const withLink = (run: DeliveryRun, summary: RunSummary): RunSummary => {
    const link = isCommentResult(run.result) && !run.result.deleted ? commentLink(input.siteUrl, run.issueKey, run.result.commentId) : undefined;
    const notes = summary.notes?.map((note) => (note.commentId ? { ...note, link: commentLink(input.siteUrl, run.issueKey, note.commentId) } : note));
    return { ...summary, ...(link ? { commentLink: link } : {}), ...(notes ? { notes } : {}) };
  };
  const summaryFor = (run: DeliveryRun) => withLink(run, input.audience === 'member' ? forMember(runSummary(run, t), run, t) : runSummary(run, t));
  const current = {
    ...summaryFor(newest),
    nextAttemptAt: newest.nextAttemptAt,
    result: newest.status === 'completed' ? resultView(newest, commentOf(newest), input.siteUrl, t, input.reader) : undefined,
  };
  const lastCompleted = newest.status === 'completed' ? undefined : older.find((run) => run.status === 'completed');
  const previous = lastCompleted ? resultView(lastCompleted, commentOf(lastCompleted), input.siteUrl, t, input.reader) : undefined;
  const failure = failureFor(newest, input.audience, t);
  const configurationCause = (newest.status === 'failed' || newest.status === 'timed-out') && (newest.failureCause === 'configuration' || newest.failureCause === 'payload');
  return {
    issueKey: input.issueKey,
    status: { label: current.label, appearance: current.appearance, detail: failure?.text ?? current.reason },
    current,
    previousResult: previous && lastCompleted ? { ...previous, deliveryId: lastCompleted.deliveryId, completedAt: lastCompleted.finishedAt } : undefined,
    history: older.map(summaryFor),
    finished,
    overdue: !finished && isOverdue(newest, input.nowMs),
    // A broken connection would fail Run again the same way: readers who cannot fix it are told so instead.
    canRunAgain: input.canRunAgain && !(configurationCause && input.audience === 'member'),
    runAgainIsPrimary: !configurationCause,
    ...(configurationCause && input.audience === 'member' && input.canRunAgain ? { runAgainOff: t('panel.runAgainOff') } : {}),
    failure,
    ...(input.may && (input.may.apply || input.may.link || input.may.reply) ? { may: input.may } : {}),
    ...(input.lookupEnabled && input.audience === 'jira-admin' && ['accepted', 'running', 'timed-out'].includes(newest.status) && newest.resultMode !== 'poll' ? { canCheckAtAiops: true } : {}),
    ...realtime,
  };
}
