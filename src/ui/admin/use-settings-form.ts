/**
 * The form of one settings section: its own copy of the settings, and a save that sends the
 * stored settings with this section's changes (each section saves on its own; the resolver checks
 * the whole).
 */
import { useEffect, useState } from 'react';
import { call } from '../call';
import type { FeedbackMessage } from '../feedback';
import type { FieldError } from '../fields';
import { useT } from '../i18n';
import { EMPTY_SETTINGS, type AdminView, type SectionProps, type Settings } from './types';

type NumberKey = 'attemptLimit' | 'requestTimeoutSeconds' | 'resultTimeLimitMinutes' | 'deliveryConcurrency' | 'outageHorizonHours' | 'retentionDays' | 'runsPerIssuePerHour' | 'runsPerUserPerHour';

export interface SaveExtras {
  secret?: string;
  statusAuthValue?: string;
  /** Keep a new secret although the check refused it (the admin chose to). */
  saveAnyway?: boolean;
}

export interface SaveAnswer {
  ok: boolean;
  errors?: FieldError[];
  view?: AdminView;
  secretChange?: string;
  /** A new secret that AI Ops refused: nothing was saved; the admin decides. */
  secretRefused?: { detail: string };
}

export function useSettingsForm({ view, show }: SectionProps) {
  const { t } = useT();
  const [form, setForm] = useState<Settings>({ ...EMPTY_SETTINGS, ...(view.settings ?? {}) });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [feedback, setFeedback] = useState<FeedbackMessage>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    setForm({ ...EMPTY_SETTINGS, ...(view.settings ?? {}) });
  }, [view.settings]);

  const set = <K extends keyof Settings>(key: K) => (value: Settings[K]) => setForm((f) => ({ ...f, [key]: value }));
  const num = (key: NumberKey) => (value: string) => set(key)((value === '' ? Number.NaN : Number(value)) as never);

  /** Saves; answers the resolver's answer, or undefined when the call itself failed (the feedback says why). */
  const save = async (extras: SaveExtras = {}): Promise<SaveAnswer | undefined> => {
    setSaving(true);
    setFeedback(undefined);
    try {
      const { secret: _s, previousSecret: _p, version: _v, ...settings } = form;
      const answer = await call<SaveAnswer>('save', { settings, ...extras });
      setErrors(answer.errors ?? []);
      if (answer.ok && answer.view) show(answer.view);
      else if (!answer.secretRefused) setFeedback({ appearance: 'error', title: t('common.notSaved'), lines: [t('admin.correctFields')] });
      return answer;
    } catch (e) {
      setFeedback({ appearance: 'error', title: t('common.notSaved'), lines: [e instanceof Error ? e.message : String(e)] });
      return undefined;
    } finally {
      setSaving(false);
    }
  };

  return { form, set, num, errors, feedback, setFeedback, saving, save };
}
