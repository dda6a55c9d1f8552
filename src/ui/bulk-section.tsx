/**
 * A bulk run on the admin or project page: describe what to send, count it, confirm, then watch it
 * go at the delivery pace, with pause, resume and cancel. The run belongs to the site, not the page.
 */
import React, { useCallback, useEffect, useState } from 'react';
import { Button, Heading, Inline, ProgressBar, Stack, Text } from '@forge/react';
import { call } from './call';
import { Feedback, type FeedbackMessage } from './feedback';
import { SelectField, TextField, type FieldError } from './fields';

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

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

export function BulkSection({ kind, title, description, defaultJql }: Props) {
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

  const filter = () => (kind === 'redeliver' ? { since, until, statuses, httpStatus, reasonContains, cap } : { jql, cap });

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
      if (!answer.ok) setFeedback({ appearance: 'error', title: 'Cannot count', lines: (answer.errors ?? []).map((e) => e.message) });
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
      setFeedback(answer.ok ? { appearance: 'success', title: 'Started', lines: ['It goes on if you leave this page.'] } : { appearance: 'error', title: 'Not started', lines: (answer.errors ?? []).map((e) => e.message) });
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
            <TextField name="bulk-since" label="From" value={since} onChange={setSince} errors={bulkErrors} help="Date and time, such as 2026-11-28 09:00" />
            <TextField name="bulk-until" label="Until (optional)" value={until} onChange={setUntil} errors={bulkErrors} />
          </Inline>
          <SelectField
            name="bulk-statuses"
            label="Runs that"
            multi
            options={[
              { label: 'failed', value: 'failed' },
              { label: 'timed out', value: 'timed-out' },
              { label: 'were cancelled', value: 'cancelled' },
            ]}
            value={statuses}
            onChange={setStatuses}
            errors={bulkErrors}
          />
          <Inline space="space.200" shouldWrap>
            <TextField name="bulk-httpStatus" label="HTTP status (optional)" value={httpStatus} onChange={setHttpStatus} errors={bulkErrors} help="For example 401" />
            <TextField name="bulk-reasonContains" label="Reason contains (optional)" value={reasonContains} onChange={setReasonContains} errors={bulkErrors} help="For example HMAC" />
          </Inline>
        </Stack>
      ) : (
        <TextField name="bulk-jql" label="Issues (JQL)" multiline value={jql} onChange={setJql} errors={bulkErrors} help="Issues that already have a result are left out by the default query." />
      )}
      <TextField name="bulk-cap" label="Send at most" type="number" value={cap} onChange={setCap} errors={bulkErrors} help="The batch stops here; start another for the rest." />
      <Inline space="space.100" alignBlock="center">
        <Button onClick={() => void preview()} isDisabled={busy !== undefined}>
          {busy === 'count' ? 'Counting…' : 'Count'}
        </Button>
        {count !== undefined ? (
          <Button appearance="primary" onClick={() => void start()} isDisabled={busy !== undefined || count === 0}>
            {count === 0 ? 'Nothing matches' : `${kind === 'redeliver' ? 'Redeliver' : 'Send'} ${Math.min(count, capNumber)} ${kind === 'redeliver' ? 'runs' : 'issues'}`}
          </Button>
        ) : null}
      </Inline>
      {count !== undefined && count > capNumber ? <Text>{`${count} match; this batch stops at ${capNumber}.`}</Text> : null}
      <Feedback message={feedback} />
      {bulks.slice(0, 3).map((bulk) => (
        <Stack key={bulk.id} space="space.050">
          <Text>{`Started ${new Date(bulk.createdAt).toLocaleString()}: ${bulk.progress.text}`}</Text>
          <ProgressBar value={bulk.progress.percent / 100} ariaLabel={`Progress of the bulk run started ${new Date(bulk.createdAt).toLocaleString()}`} />
          {bulk.lastError ? <Text>{`Stopped: ${bulk.lastError}`}</Text> : null}
          {bulk.state === 'running' || bulk.state === 'paused' ? (
            <Inline space="space.100">
              {bulk.state === 'running' ? (
                <Button onClick={() => void control(bulk.id, 'pause')} isDisabled={busy !== undefined}>
                  Pause
                </Button>
              ) : (
                <Button onClick={() => void control(bulk.id, 'resume')} isDisabled={busy !== undefined}>
                  Resume
                </Button>
              )}
              <Button appearance="subtle" onClick={() => void control(bulk.id, 'cancel')} isDisabled={busy !== undefined}>
                Cancel
              </Button>
            </Inline>
          ) : null}
        </Stack>
      ))}
    </Stack>
  );
}
