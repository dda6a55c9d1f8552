/**
 * A bulk run on the admin or project page: describe what to send, count it, confirm, then watch it
 * go at the delivery pace, with pause, resume and cancel. The run belongs to the site, not the page.
 */
import React, { useCallback, useEffect, useState } from 'react';
import { Button, Heading, Inline, ProgressBar, Stack, Text } from '@forge/react';
import type { Translate } from '../core/i18n';
import { call } from './call';
import { Feedback, type FeedbackMessage } from './feedback';
import { SelectField, TextField, type FieldError } from './fields';
import { useT, when } from './i18n';

export interface BulkSummary {
  id: string;
  kind: 'redeliver' | 'enhance';
  state: 'running' | 'paused' | 'cancelled' | 'done';
  createdAt: string;
  cap: number;
  expected: number;
  queued: number;
  skipped: number;
  lastError?: string;
  progress: { percent: number; text: string };
}

interface Props {
  kind: 'redeliver' | 'enhance';
  title: string;
  description: string;
  /** For enhancing: the JQL the form starts with. */
  defaultJql?: string;
}

/** "12 of 40 sent, 2 skipped (paused)", in the reader's language. */
function progressText(bulk: BulkSummary, t: Translate): string {
  const total = Math.min(bulk.cap, bulk.expected);
  let text = t(bulk.kind === 'redeliver' ? 'bulk.progressRedelivered' : 'bulk.progressSent', { n: bulk.queued, total });
  if (bulk.skipped) text = t('bulk.progressSkipped', { text, n: bulk.skipped });
  if (bulk.state === 'paused' || bulk.state === 'cancelled') text = t(`bulk.progress.${bulk.state}`, { text });
  return text;
}

/** A time as the reader types it, in their own time zone: "2026-11-28 09:00". */
const localText = (ms: number) => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
};
const hoursAgo = (hours: number) => localText(Date.now() - hours * 3_600_000);

/** What the reader typed, read in their time zone, as the resolver takes it (ISO, UTC); typos pass through for the resolver to name. */
function asInstant(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const parsed = new Date(trimmed.replace(' ', 'T'));
  return Number.isNaN(parsed.getTime()) ? trimmed : parsed.toISOString();
}

/** The reader's time zone, named ("Europe/Berlin"), for the From and Until labels. */
const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';

export function BulkSection({ kind, title, description, defaultJql }: Props) {
  const { t, locale } = useT();
  const [since, setSince] = useState(hoursAgo(24));
  const [until, setUntil] = useState('');
  const [statuses, setStatuses] = useState<string[]>(['failed', 'timed-out']);
  const [httpStatus, setHttpStatus] = useState('');
  const [reasonContains, setReasonContains] = useState('');
  const [jql, setJql] = useState(defaultJql ?? '');
  const [cap, setCap] = useState('500');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [count, setCount] = useState<number>();
  const [feedback, setFeedback] = useState<FeedbackMessage>();
  const [bulks, setBulks] = useState<BulkSummary[]>([]);
  const [busy, setBusy] = useState<string>();

  const filter = () => (kind === 'redeliver' ? { since: asInstant(since), until: asInstant(until), statuses, httpStatus, reasonContains, cap } : { jql, cap });

  const refresh = useCallback(async () => {
    const answer = await call<{ bulks: BulkSummary[] }>('bulkList');
    setBulks(answer.bulks.filter((bulk) => bulk.kind === kind));
  }, [kind]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const running = bulks.some((bulk) => bulk.state === 'running');
  useEffect(() => {
    if (!running) return undefined;
    const timer = setTimeout(() => void refresh(), 2000);
    return () => clearTimeout(timer);
  }, [bulks, running, refresh]);

  const preview = async () => {
    setBusy('count');
    setFeedback(undefined);
    try {
      const answer = await call<{ ok: boolean; count?: number; cap?: number; errors?: FieldError[] }>('bulkPreview', { kind, filter: filter() });
      setErrors(answer.errors ?? []);
      setCount(answer.ok ? answer.count : undefined);
      if (!answer.ok) setFeedback({ appearance: 'error', title: t('bulk.cannotCount'), lines: (answer.errors ?? []).map((e) => e.message) });
    } finally {
      setBusy(undefined);
    }
  };

  const start = async () => {
    setBusy('start');
    try {
      const answer = await call<{ ok: boolean; errors?: FieldError[]; bulk?: BulkSummary }>('bulkStart', { kind, filter: filter() });
      setErrors(answer.errors ?? []);
      setCount(undefined);
      setFeedback(
        answer.ok
          ? { appearance: 'success', title: t('bulk.started'), lines: [t('bulk.goesOn')] }
          : { appearance: 'error', title: t('bulk.notStarted'), lines: (answer.errors ?? []).map((e) => e.message) },
      );
      await refresh();
    } finally {
      setBusy(undefined);
    }
  };

  const control = async (id: string, action: 'pause' | 'resume' | 'cancel') => {
    setBusy(`${action}-${id}`);
    try {
      await call('bulkControl', { id, action });
      await refresh();
    } finally {
      setBusy(undefined);
    }
  };

  const capNumber = Number(cap) || 0;
  // The resolver names fields plainly; here they carry a prefix so they cannot meet the page's own.
  const bulkErrors = errors.map((e) => ({ ...e, field: `bulk-${e.field}` }));
  return (
    <Stack space="space.150">
      <Heading size="medium">{title}</Heading>
      <Text>{description}</Text>
      {kind === 'redeliver' ? (
        <Stack space="space.100">
          <Inline space="space.200" shouldWrap>
            <TextField name="bulk-since" label={t('bulk.fromIn', { zone: timeZone() })} value={since} onChange={setSince} errors={bulkErrors} help={t('bulk.fromHelp')} />
            <TextField name="bulk-until" label={t('bulk.untilIn', { zone: timeZone() })} value={until} onChange={setUntil} errors={bulkErrors} />
          </Inline>
          <SelectField
            name="bulk-statuses"
            label={t('bulk.runsThat')}
            multi
            options={[
              { label: t('bulk.failed'), value: 'failed' },
              { label: t('bulk.timedOut'), value: 'timed-out' },
              { label: t('bulk.cancelled'), value: 'cancelled' },
            ]}
            value={statuses}
            onChange={setStatuses}
            errors={bulkErrors}
          />
          <Inline space="space.200" shouldWrap>
            <TextField name="bulk-httpStatus" label={t('bulk.httpStatus')} value={httpStatus} onChange={setHttpStatus} errors={bulkErrors} help={t('bulk.httpStatusHelp')} />
            <TextField name="bulk-reasonContains" label={t('bulk.reasonContains')} value={reasonContains} onChange={setReasonContains} errors={bulkErrors} help={t('bulk.reasonContainsHelp')} />
          </Inline>
        </Stack>
      ) : (
        <TextField name="bulk-jql" label={t('bulk.jql')} multiline value={jql} onChange={setJql} errors={bulkErrors} help={t('bulk.jqlHelp')} />
      )}
      <TextField name="bulk-cap" label={t('bulk.cap')} type="number" value={cap} onChange={setCap} errors={bulkErrors} help={t('bulk.capHelp')} />
      <Inline space="space.100" alignBlock="center">
        <Button onClick={() => void preview()} isDisabled={busy !== undefined}>
          {busy === 'count' ? t('bulk.counting') : t('bulk.count')}
        </Button>
        {count !== undefined ? (
          <Button appearance="primary" onClick={() => void start()} isDisabled={busy !== undefined || count === 0}>
            {count === 0 ? t('bulk.nothingMatches') : Math.min(count, capNumber) === 1 ? t(kind === 'redeliver' ? 'bulk.redeliverOne' : 'bulk.sendOne') : t(kind === 'redeliver' ? 'bulk.redeliverN' : 'bulk.sendN', { n: Math.min(count, capNumber) })}
          </Button>
        ) : null}
      </Inline>
      {count !== undefined && count > capNumber ? <Text>{t('bulk.overCap', { count, cap: capNumber })}</Text> : null}
      <Feedback message={feedback} />
      {bulks.slice(0, 3).map((bulk) => (
        <Stack key={bulk.id} space="space.050">
          <Text>{t('bulk.startedProgress', { when: when(bulk.createdAt, locale), progress: progressText(bulk, t) })}</Text>
          <ProgressBar value={bulk.progress.percent / 100} ariaLabel={t('bulk.progressLabel', { when: when(bulk.createdAt, locale) })} />
          {bulk.lastError ? <Text>{t('bulk.stopped', { error: bulk.lastError })}</Text> : null}
          {bulk.state === 'running' || bulk.state === 'paused' ? (
            <Inline space="space.100">
              {bulk.state === 'running' ? (
                <Button onClick={() => void control(bulk.id, 'pause')} isDisabled={busy !== undefined}>
                  {t('bulk.pause')}
                </Button>
              ) : (
                <Button onClick={() => void control(bulk.id, 'resume')} isDisabled={busy !== undefined}>
                  {t('bulk.resume')}
                </Button>
              )}
              <Button appearance="subtle" onClick={() => void control(bulk.id, 'cancel')} isDisabled={busy !== undefined}>
                {t('bulk.cancel')}
              </Button>
            </Inline>
          ) : null}
        </Stack>
      ))}
    </Stack>
  );
}
