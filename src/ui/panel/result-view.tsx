/**
 * A result as the panel shows it: who posted it and when, a link to the comment, the analysis. An
 * analysis with headings shows as sections: the first (Summary, when there is one) open, the others
 * one click away; the full comment stays a link away.
 */
import React, { useState } from 'react';
import { AdfRenderer, Button, Heading, Inline, Link, SectionMessage, Stack, Text } from '@forge/react';
import type { ResultSection, ResultView } from '../../core/panel-view';
import { useT, when } from '../i18n';

type AdfDocument = Parameters<typeof AdfRenderer>[0]['document'];

function Sections({ sections }: { sections: ResultSection[] }) {
  const { t } = useT();
  const [open, setOpen] = useState<Set<string>>(new Set());
  return (
    <Stack space="space.100">
      {sections.map((section, i) => {
        const shown = i === 0 || open.has(section.title);
        const toggle = () => setOpen((was) => {
          const next = new Set(was);
          if (next.has(section.title)) next.delete(section.title);
          else next.add(section.title);
          return next;
        });
        return (
          <Stack key={`${i}-${section.title}`} space="space.050">
            {i === 0 ? (
              <Heading size="xsmall">{section.title}</Heading>
            ) : (
              <Inline>
                <Button appearance="subtle" onClick={toggle}>
                  {shown ? t('result.hideSection', { title: section.title }) : t('result.showSection', { title: section.title })}
                </Button>
              </Inline>
            )}
            {shown ? <AdfRenderer document={section.document as unknown as AdfDocument} /> : null}
          </Stack>
        );
      })}
    </Stack>
  );
}

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
      {result.structured ? (
        <Sections sections={result.sections} />
      ) : (
        result.sections.map((section) => (
          <Stack key={section.title} space="space.050">
            {result.sections.length > 1 || !section.primary ? <Heading size="xsmall">{section.title}</Heading> : null}
            <AdfRenderer document={section.document as unknown as AdfDocument} />
          </Stack>
        ))
      )}
    </Stack>
  );
}
