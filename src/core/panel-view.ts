import { markdownToAdf } from 'marklassian';
import type { Eligibility } from './eligibility';
import { isTerminal, type DeliveryRun, type EnhancementResult, type RunStatus } from './enhancement';

/**
 * What the issue panel shows, computed from the runs of an issue: status words and colours, the
 * result as ADF ready for AdfRenderer, and why nothing ran when nothing did.
 */

export type LozengeAppearance = 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success';

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: unknown[];
}

export interface ResultSection {
  title: string;
  document: AdfDoc;
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
  httpStatus?: number;
  reason?: string;
}

export interface PanelView {
  issueKey: string;
  /** Status of the newest run, or "not sent" with why. */
  status: { label: string; appearance: LozengeAppearance; detail?: string };
  current?: RunSummary & { result?: ResultSection[]; nextAttemptAt?: string };
  history: RunSummary[];
  finished: boolean;
  canRunAgain: boolean;
  /** Shown to project admins with the reason nothing ran. */
  settingsHint?: string;
  channel: string;
}

const LABELS: Record<RunStatus, [string, LozengeAppearance]> = {
  skipped: ['Skipped', 'default'],
  queued: ['Queued', 'new'],
  retrying: ['Retrying', 'moved'],
  accepted: ['Queued at AI Ops', 'new'],
  running: ['Running', 'inprogress'],
  completed: ['Completed', 'success'],
  failed: ['Failed', 'removed'],
  'timed-out': ['Timed out', 'removed'],
};

function label(run: DeliveryRun): string {
  if (run.status === 'retrying') return `Retrying (${run.attempts.length + 1} of ${run.attemptLimit})`;
  return LABELS[run.status][0];
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
    trigger: run.trigger,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    executionId: run.executionId,
    attempts: run.attempts.length,
    attemptLimit: run.attemptLimit,
    httpStatus: run.httpStatus,
    reason: run.reason,
  };
}

/** Markdown becomes ADF; named sections become one titled document each. */
export function resultSections(result: EnhancementResult): ResultSection[] {
  const toDoc = (markdown: string) => markdownToAdf(markdown) as AdfDoc;
  if (typeof result === 'string') return [{ title: 'Analysis', document: toDoc(result) }];
  return Object.entries(result).map(([title, body]) => ({ title, document: toDoc(body) }));
}

export function panelView(input: {
  issueKey: string;
  runs: DeliveryRun[];
  eligibility: Eligibility;
  canRunAgain: boolean;
  canConfigure: boolean;
  channel: string;
}): PanelView {
  const [newest, ...older] = input.runs;
  if (!newest) {
    const why = input.eligibility.eligible ? 'no delivery has been recorded for this issue yet' : input.eligibility.reason;
    return {
      issueKey: input.issueKey,
      status: { label: 'Not sent', appearance: 'default', detail: why },
      history: [],
      finished: true,
      canRunAgain: input.canRunAgain && input.eligibility.eligible,
      settingsHint: input.canConfigure && !input.eligibility.eligible ? 'Change this on the project settings page: Project settings > Apps > AI Ops Ticket Enhancer.' : undefined,
      channel: input.channel,
    };
  }
  const current = {
    ...runSummary(newest),
    nextAttemptAt: newest.nextAttemptAt,
    result: newest.status === 'completed' && newest.result !== undefined ? resultSections(newest.result) : undefined,
  };
  return {
    issueKey: input.issueKey,
    status: { label: current.label, appearance: current.appearance, detail: newest.reason },
    current,
    history: older.map(runSummary),
    finished: isTerminal(newest.status),
    canRunAgain: input.canRunAgain,
    channel: input.channel,
  };
}
