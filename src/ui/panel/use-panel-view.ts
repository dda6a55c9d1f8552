/**
 * The Ticket Enhancer state, kept current for the issue panel and the issue context: one
 * realtime subscription per screen (a message on every change of the runs), its token
 * reused while valid; and, while a run is under way, polling as a fallback that backs off while
 * realtime is connected (docs "limits-realtime": about 50 operations a second per installation).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { realtime } from '@forge/bridge';
import type { PanelView } from '../../core/panel-view';
import { useScreenLoad } from '../use-load';

export interface PanelAnswer extends PanelView {
  canCancel: boolean;
  /** Set while the app's licence is not active: past results show, nothing can be started; the words to show. */
  readOnly?: string;
  /** The panel's realtime token expires then (ISO); the next loads reuse it until shortly before. */
  realtimeTokenExpiresAt?: string;
  links: { adminPage?: string; projectSettings?: string };
  /** The reader's own account, to tell their feedback and actions apart. */
  reader?: string;
  /** Jira admins: AI Ops stopped accepting the site's secret (since when, runs it refused). */
  secretStopped?: { since: string; count: number };
}

const FIRST_POLL_MS = 5000;
const MAX_POLL_MS = 60_000;

export function usePanelView() {
  const [view, setView] = useState<PanelAnswer>();
  const token = useRef<{ token?: string; expiresAt?: string }>({});
  const [live, setLive] = useState(false);
  const [pollMs, setPollMs] = useState(FIRST_POLL_MS);

  const show = useCallback((answer: PanelAnswer) => {
    if (answer.realtimeToken) token.current = { token: answer.realtimeToken, expiresAt: answer.realtimeTokenExpiresAt };
    setView((previous) => {
      // Something changed: look again soon; nothing changed: the next look can wait longer.
      if (previous && previous.status.label === answer.status.label && previous.current?.deliveryId === answer.current?.deliveryId) setPollMs((ms) => Math.min(ms * 2, MAX_POLL_MS));
      else setPollMs(FIRST_POLL_MS);
      return { ...answer, realtimeToken: answer.realtimeToken ?? token.current.token };
    });
  }, []);
  const payload = useCallback(() => (token.current.expiresAt ? { tokenValidUntil: token.current.expiresAt } : {}), []);
  const { reload, loadError, unlicensed } = useScreenLoad<PanelAnswer>(show, payload);

  // Live refresh: a realtime message on every state change of this runs, on a channel only
  // a screen whose resolver checked the user's access may subscribe to.
  const channel = view?.channel;
  const subscribeToken = view?.realtimeToken;
  useEffect(() => {
    if (!channel) return undefined;
    let subscription: { unsubscribe?: () => unknown } | undefined;
    let closed = false;
    void Promise.resolve(realtime.subscribeGlobal(channel, () => void reload(), subscribeToken ? { token: subscribeToken } : undefined))
      .then((s) => {
        subscription = s as { unsubscribe?: () => unknown } | undefined;
        if (closed) void subscription?.unsubscribe?.();
        else setLive(true);
      })
      .catch(() => setLive(false));
    return () => {
      closed = true;
      setLive(false);
      void subscription?.unsubscribe?.();
    };
  }, [channel, subscribeToken, reload]);

  // Fallback while a run is under way: poll, one request at a time; slower while realtime works.
  // An overdue run is left to the scheduled check.
  useEffect(() => {
    if (!view || view.finished || view.overdue) return undefined;
    const timer = setTimeout(() => void reload(), live ? pollMs : FIRST_POLL_MS);
    return () => clearTimeout(timer);
  }, [view, reload, live, pollMs]);

  return { view, reload, loadError, unlicensed, live };
}
