/** Every project of the site with the Ticket Enhancer's state there, each a link to its settings page. */
import React from 'react';
import { DynamicTable, Heading, Link, Lozenge, Stack, Text } from '@forge/react';
import { useT } from '../i18n';
import type { AdminView } from './types';

export function ProjectsSection({ view }: { view: AdminView }) {
  const { t } = useT();
  return (
    <Stack space="space.100">
      <Heading size="medium">{t('admin.projectsTitle')}</Heading>
      <Text>{t('admin.projectsText')}</Text>
      {view.projects.length === 0 ? (
        <Text>{t('admin.noProjects')}</Text>
      ) : (
        <DynamicTable
          head={{
            cells: [
              { key: 'project', content: t('admin.project') },
              { key: 'state', content: t('admin.state') },
              { key: 'events', content: t('admin.sends') },
              { key: 'overrides', content: t('admin.overrides') },
            ],
          }}
          rows={view.projects.map((p) => {
            const name = p.projectName ? `${p.projectKey} · ${p.projectName}` : p.projectKey;
            return {
              key: p.projectId,
              cells: [
                { key: 'project', content: p.settingsUrl ? <Link href={p.settingsUrl}>{name}</Link> : name },
                { key: 'state', content: <Lozenge appearance={p.enabled ? 'success' : 'default'}>{p.enabled ? t('admin.enabled') : t('admin.off')}</Lozenge> },
                { key: 'events', content: p.enabled ? [p.events.created ? t('admin.newIssues') : '', p.events.updated ? t('admin.edits') : ''].filter(Boolean).join(', ') || t('admin.nothing') : '–' },
                { key: 'overrides', content: p.overrides ? t('admin.yes') : t('admin.no') },
              ],
            };
          })}
        />
      )}
    </Stack>
  );
}
