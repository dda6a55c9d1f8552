/** A result as the panel shows it: who posted it and when, a link to the comment, the analysis. */
import React from 'react';
import { AdfRenderer, Heading, Inline, Link, SectionMessage, Stack, Text } from '@forge/react';
import type { ResultView } from '../../core/panel-view';
import { useT, when } from '../i18n';

type AdfDocument = Parameters<typeof AdfRenderer>[0]['document'];

export function Result({ result, heading }: { result: ResultView; heading?: string }) {
  const { t, locale } = useT();
  const posted = result.postedAt ? t('panel.sourceOn', { source: result.source, when: when(result.postedAt, locale) }) : result.source;
  return (
    <Stack space="space.100">
      {heading ? <Heading size="small">{heading}</Heading> : null}
      <Inline space="space.100" alignBlock="center">
        <Text>{result.edited ? t('panel.edited', { text: posted }) : posted}</Text>
        {result.link ? <Link href={result.link} openNewTab>{t('panel.openComment')}</Link> : null}
      </Inline>
      {result.warning ? <SectionMessage appearance="warning"><Text>{result.warning}</Text></SectionMessage> : null}
      {result.notice ? <SectionMessage appearance="information"><Text>{result.notice}</Text></SectionMessage> : null}
      {result.sections.map((section) => (
        <Stack key={section.title} space="space.050">
          {result.sections.length > 1 || !section.primary ? <Heading size="xsmall">{section.title}</Heading> : null}
          <AdfRenderer document={section.document as unknown as AdfDocument} />
        </Stack>
      ))}
    </Stack>
  );
}
