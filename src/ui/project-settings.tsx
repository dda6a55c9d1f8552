/**
 * The project settings page: turn the Ticket Enhancer on and choose which issues qualify, the
 * project's deliveries with redelivery, and the bulk runs. One component per section (src/ui/project/).
 */
import React, { useCallback, useState } from 'react';
import { Heading, Spinner, Stack } from '@forge/react';
import { BulkSection } from './bulk-section';
import { Feedback, UnlicensedNotice } from './feedback';
import { renderScreen, useT } from './i18n';
import { useScreenLoad } from './use-load';
import { DeliveriesSection } from './project/deliveries-section';
import { SettingsSection } from './project/settings-section';
import type { ProjectView } from './project/types';

function App() {
  const { t } = useT();
  const [view, setView] = useState<ProjectView>();
  const show = useCallback((next: ProjectView) => setView(next), []);
  const { reload, loadError, unlicensed } = useScreenLoad<ProjectView>(show);

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (loadError && !view) {
    return <Feedback message={{ appearance: 'error', title: t('project.cannotChange'), lines: [t('project.onlyAdmins', { error: loadError })], action: { label: t('common.tryAgain'), run: () => void reload() } }} />;
  }
  if (!view) return <Spinner label={t('project.loading')} />;
  return (
    <Stack space="space.400">
      <Heading size="large">{t('module.appTitle')}</Heading>
      <SettingsSection view={view} show={show} />
      <DeliveriesSection view={view} setView={setView} />
      <BulkSection kind="redeliver" title={t('bulk.redeliverTitle')} description={t('project.redeliverText')} />
      <BulkSection kind="enhance" title={t('bulk.enhanceTitle')} description={t('project.enhanceText')} defaultJql={existingTicketsJql(view.settings.issueTypeIds, view.issueTypes)} />
    </Stack>
  );
}

/** Open issues of the project's enabled types that the Ticket Enhancer has not seen yet. */
function existingTicketsJql(issueTypeIds: string[], issueTypes: Array<{ id: string; name: string }>): string {
  // Types by name, as a person writes them (Jira reads names and ids alike); quoted only when the name needs it.
  const jqlName = (name: string) => (/^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !/^(and|or|not|in|is|empty|null|order|by)$/i.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`);
  const names = issueTypeIds.map((id) => issueTypes.find((type) => type.id === id)?.name ?? id).map(jqlName);
  const types = names.length > 0 ? ` AND issuetype in (${names.join(', ')})` : ''; // i18n-ignore: JQL
  return `statusCategory != Done AND ticketEnhancerStatus IS EMPTY${types}`; // i18n-ignore: JQL
}

renderScreen(App);
