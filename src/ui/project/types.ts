/** What the project settings page's sections share: the view its resolver answers. */
import type { Insights } from '../../core/outcome-stats';
import type { RunSummary } from '../../core/panel-view';
import type { ProjectSettings } from '../../core/settings';

export interface Option {
  id: string;
  name: string;
}

export interface ProjectView {
  settings: ProjectSettings;
  connectionConfigured: boolean;
  defaults: { agentId: string; tenantId: string } | null;
  issueTypes: Option[];
  priorities: Option[];
  /** The site's issue link types, by name. */
  linkTypes: string[];
  deliveries: RunSummary[];
  deliveriesCursor: string | null;
  insights: Insights;
}
