/** The notes of a run, one line each: how its result was matched, other AI Ops comments, AI Ops' records. */
import React from 'react';
import { Inline, Link, Stack, Text } from '@forge/react';
import type { RunNote } from '../../core/panel-view';
import { useT, when } from '../i18n';

export function RunNotes({ notes }: { notes?: RunNote[] }) {
  const { t, locale } = useT();
  if (!notes?.length) return null;
  return (
    <Stack space="space.050">
      {notes.map((note, i) => (
        <Inline key={`${note.kind}-${i}`} space="space.100" alignBlock="center" shouldWrap>
          <Text>{note.at ? t('panel.noteAt', { text: note.text, when: when(note.at, locale) }) : note.text}</Text>
          {note.link ? <Link href={note.link} openNewTab>{t('panel.openComment')}</Link> : null}
        </Inline>
      ))}
    </Stack>
  );
}
