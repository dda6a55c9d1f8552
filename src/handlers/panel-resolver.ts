/** Resolvers of the issue panel: `load` (one call draws the panel) and `runAgain`. */
import Resolver from '@forge/resolver';
import { decideEligibility } from '../core/eligibility';
import { panelView } from '../core/panel-view';
import { readIssueAsApp, userPermissions } from '../forge/jira-adapter';
import { issueChannel } from '../forge/platform';
import { listIssueRuns } from '../forge/run-store';
import { loadGlobalSettings, loadProjectSettings } from '../forge/settings-store';
import { issueFromContext, ResolverError, type ForgeResolverContext } from './resolver-context';
import { startDelivery } from './start-delivery';

const resolver = new Resolver();

resolver.define('load', async ({ context }) => {
  const issue = issueFromContext(context as ForgeResolverContext);
  const held = await userPermissions(['BROWSE_PROJECTS', 'EDIT_ISSUES', 'ADMINISTER_PROJECTS'], { issueId: issue.issueId });
  if (!held.has('BROWSE_PROJECTS')) throw new ResolverError(403, 'you cannot see this issue');
  const [runs, project] = await Promise.all([listIssueRuns(issue.projectId, issue.issueId), loadProjectSettings(issue.projectId)]);
  let eligibility = decideEligibility(project, { kind: 'created', issueType: issue.issueType, labels: [], changedFields: [] });
  // Only when nothing ran and a filter looks at labels or priority is the issue read.
  if (runs.length === 0 && project.enabled && (project.labelsInclude.length + project.labelsExclude.length + project.priorityIds.length > 0)) {
    const read = await readIssueAsApp(issue.issueId);
    if (read.kind === 'found') {
      const f = read.issue.fields;
      eligibility = decideEligibility(project, {
        kind: 'created',
        issueType: { id: f.issuetype?.id ?? issue.issueType.id, name: f.issuetype?.name ?? issue.issueType.name },
        priority: f.priority?.id ? { id: f.priority.id, name: f.priority.name ?? '' } : undefined,
        labels: f.labels ?? [],
        changedFields: [],
      });
    }
  }
  return panelView({
    issueKey: issue.issueKey,
    runs,
    eligibility,
    canRunAgain: held.has('EDIT_ISSUES') && project.enabled,
    canConfigure: held.has('ADMINISTER_PROJECTS'),
    channel: issueChannel(issue.issueId),
  });
});

resolver.define('runAgain', async ({ context }) => {
  const issue = issueFromContext(context as ForgeResolverContext);
  const held = await userPermissions(['EDIT_ISSUES'], { issueId: issue.issueId });
  if (!held.has('EDIT_ISSUES')) throw new ResolverError(403, 'only users who can edit this issue can run the Ticket Enhancer again');
  const [global, project] = await Promise.all([loadGlobalSettings(), loadProjectSettings(issue.projectId)]);
  if (!project.enabled) throw new ResolverError(409, 'the Ticket Enhancer is not enabled for this project');
  const { issueId, issueKey, projectId, projectKey } = issue;
  const result = await startDelivery({ issueId, issueKey, projectId, projectKey }, 'rerun', `rerun-${Date.now()}`, global, project);
  return result.started ? { started: true, deliveryId: result.run.deliveryId } : { started: false, reason: result.reason };
});

export const panelResolver = resolver.getDefinitions();
