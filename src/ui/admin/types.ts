/** What the admin page's sections share: the view the resolver answers, and small helpers. */
import type { Insights } from '../../core/outcome-stats';
import type { RunSummary } from '../../core/panel-view';
import type { GlobalSettings } from '../../core/settings';
import type { AdminHealth } from '../../core/site-health';
import { CONNECTION_DEFAULTS } from '../../core/setting-defaults';

export type Settings = Omit<GlobalSettings, 'version'> & { version?: number };

export interface ProjectRow {
  projectId: string;
  projectKey: string;
  projectName?: string;
  enabled: boolean;
  /** Whether the project has settings of its own (never saved: off, as every new project). */
  configured: boolean;
  events: { created: boolean; updated: boolean };
  overrides: boolean;
  settingsUrl?: string;
}


export interface AdminView {
  settings: Settings | null;
  callbackUrl: string;
  statusAuthConfigured: boolean;
  projects: ProjectRow[];
  deliveries: RunSummary[];
  deliveriesCursor: string | null;
  insights: Insights;
  storage: { retentionDays: number; runs: number; bytes: number; oldest: string | null; countedUntil: string | null; retentionRanAt: string | null };
  health: AdminHealth;
}

/** Everything a section needs from the page. */
export interface SectionProps {
  view: AdminView;
  /** Shows a view a resolver answered (after a save). */
  show: (view: AdminView) => void;
}

export const EMPTY_SETTINGS: Settings = { aiopsBaseUrl: '', agentId: '', tenantId: '', ...CONNECTION_DEFAULTS };

export function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** A cleared number field is held as NaN (so validation names it) and shown empty. */
export const numberText = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : String(value));
