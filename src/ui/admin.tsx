/**
 * The Jira admin page: a status line, then three tabs. Setup (connection, results, delivery,
 * projects), Activity (the last 30 days, deliveries, redelivery) and Maintenance (enhancing
 * existing tickets, stored data, Diagnose). Each section is a component of its own under
 * src/ui/admin/, with its own Save; every action answers next to its control.
 */
import React, { useCallback, useState } from 'react';
import { Heading, Spinner, Stack, Tab, TabList, TabPanel, Tabs } from '@forge/react';
import { BulkSection } from './bulk-section';
import { Feedback, UnlicensedNotice } from './feedback';
import { renderScreen, useT } from './i18n';
import { useScreenLoad } from './use-load';
import { ActivitySection } from './admin/activity-section';
import { ConnectionSection } from './admin/connection-section';
import { DataSection } from './admin/data-section';
import { DeliverySection } from './admin/delivery-section';
import { DiagnoseSection } from './admin/diagnose-section';
import { ProjectsSection } from './admin/projects-section';
import { ResultsSection } from './admin/results-section';
import { StatusHeader } from './admin/status-header';
import { SecretStreakBanner } from './admin/secret-streak';
import { useEgress } from './admin/use-egress';
import type { AdminView } from './admin/types';

/** Open tickets of the first enabled project the Ticket Enhancer has not seen yet. */
function existingTicketsJql(projectKey: string | undefined): string {
  const scope = projectKey ? `project = ${projectKey} AND ` : ''; // i18n-ignore: JQL
  return `${scope}statusCategory != Done AND ticketEnhancerStatus IS EMPTY`; // i18n-ignore: JQL
}

function App() {
  const { t } = useT();
  const [view, setView] = useState<AdminView>();
  const show = useCallback((next: AdminView) => setView(next), []);
  const { reload, loadError, unlicensed } = useScreenLoad<AdminView>(show);
  const egress = useEgress(view?.settings?.aiopsBaseUrl);

  if (unlicensed) return <UnlicensedNotice message={unlicensed} />;
  if (loadError && !view) {
    return <Feedback message={{ appearance: 'error', title: t('admin.cannotConfigure'), lines: [t('admin.onlyAdmins', { error: loadError })], action: { label: t('common.tryAgain'), run: () => void reload() } }} />;
  }
  if (!view) return <Spinner label={t('admin.loading')} />;
  const section = { view, show };
  return (
    <Stack space="space.300">
      <Heading size="large">{t('module.appTitle')}</Heading>
      <StatusHeader view={view} egressApproved={egress.approved} />
      <SecretStreakBanner view={view} />
      <Tabs id="admin-tabs">
        <TabList>
          <Tab>{t('admin.tab.setup')}</Tab>
          <Tab>{t('admin.tab.activity')}</Tab>
          <Tab>{t('admin.tab.maintenance')}</Tab>
        </TabList>
        <TabPanel>
          <Stack space="space.400">
            <ConnectionSection {...section} egress={egress} />
            <ResultsSection {...section} />
            <DeliverySection {...section} />
            <ProjectsSection view={view} />
          </Stack>
        </TabPanel>
        <TabPanel>
          <Stack space="space.400">
            <ActivitySection {...section} />
            <BulkSection kind="redeliver" title={t('bulk.redeliverTitle')} description={t('admin.redeliverText')} />
          </Stack>
        </TabPanel>
        <TabPanel>
          <Stack space="space.400">
            <BulkSection kind="enhance" title={t('bulk.enhanceTitle')} description={t('admin.enhanceText')} defaultJql={existingTicketsJql(view.projects.find((p) => p.enabled)?.projectKey)} />
            <DataSection {...section} />
            <DiagnoseSection egress={egress} />
          </Stack>
        </TabPanel>
      </Tabs>
    </Stack>
  );
}

renderScreen(App);
