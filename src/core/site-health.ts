import type { Message } from './i18n';
import type { SecretStreak } from './secret-streak';

/**
 * The one line at the top of the admin page: is the connection set up, proven, refused now, and
 * how many runs failed in the last day. Egress approval is read in the browser, so it comes in.
 */

export interface AdminHealth {
  configured: boolean;
  /** When AI Ops first accepted something signed with the current secret. */
  provenAt?: string;
  /** The newest finished run failed because of the connection (401, 403, 404, egress). */
  failing?: { at: string; httpStatus?: number; reason: string };
  failedLastDay: number;
  openRuns: number;
  /** AI Ops stopped accepting the secret after it had worked: since when, and how many runs it refused. */
  secretStreak?: SecretStreak;
  /** The secret saved now is the one those runs were signed with. */
  streakSecretUnchanged?: boolean;
}

export type HealthTone = 'success' | 'warning' | 'error' | 'information';

export function healthLine(health: AdminHealth, egressApproved: boolean | undefined): { tone: HealthTone; state: Message; failures?: Message } {
  const failures: Message | undefined = health.failedLastDay > 0 ? { key: health.failedLastDay >= 100 ? 'health.failedMany' : 'health.failed', params: { n: health.failedLastDay } } : undefined;
  if (!health.configured) return { tone: 'information', state: { key: 'health.notSetUp' } };
  if (egressApproved === false) return { tone: 'warning', state: { key: 'health.egress' }, failures };
  if (health.secretStreak) return { tone: 'error', state: { key: 'health.secretStopped' }, failures };
  if (health.failing) return { tone: 'error', state: { key: health.failing.httpStatus === 401 ? 'health.secretRefused' : 'health.refusing', params: { status: health.failing.httpStatus ?? '–' } }, failures };
  if (!health.provenAt) return { tone: 'warning', state: { key: 'health.unproven' }, failures };
  return { tone: failures ? 'warning' : 'success', state: { key: 'health.connected' }, failures };
}
