import { english } from './english';
import type { RunStatus } from './enhancement';

/**
 * The status Jira shows beside the collapsed issue context panel (manifest-reference "jira-issue-
 * context", Dynamic properties): a lozenge with the label of the newest run, read from the
 * app's issue property. Jira calls the function with no user and no locale, so the label is
 * English (docs/known-issues.md).
 */

export type LozengeType = 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success';

/** What the issue property's `status` can say: a run's status, or `not-sent` (the project's filters left the issue out). */
export type PropertyStatus = RunStatus | 'not-sent';

export const LOZENGE: Record<PropertyStatus, LozengeType> = {
  'not-sent': 'default',
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

export interface DynamicProperties {
  status?: { type: 'lozenge'; value: { label: string; type: LozengeType } };
}

/** The dynamic properties for an issue whose property says `status` (anything else: no status shown). */
export function contextStatus(status: unknown): DynamicProperties {
  if (typeof status !== 'string' || !(status in LOZENGE)) return {};
  const known = status as PropertyStatus;
  return { status: { type: 'lozenge', value: { label: english(known === 'not-sent' ? 'status.notSent' : `status.${known}`), type: LOZENGE[known] } } };
}
