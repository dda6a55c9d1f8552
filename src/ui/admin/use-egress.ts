/**
 * Customer-managed egress for the AI Ops host, as the browser sees it (`permissions.egress`, docs
 * "customer-managed-egress-and-remotes"): whether Jira reports the saved origin as approved, and
 * approving it. An approval touches only the new origin's group: setting and deleting groups both
 * show the admin a consent dialog, so older hosts' approvals are left for the admin to remove.
 */
import { useCallback, useEffect, useState } from 'react';
import { permissions, type EgressSetPayload } from '@forge/bridge';
import { originOf } from './types';

// The bridge types this as an enum from @forge/egress; the value on the wire is this string.
const BACKEND_FETCH = 'FETCH_BACKEND_SIDE' as EgressSetPayload['egresses'][number]['configured'][number]['type'][number];
export const EGRESS_KEY_PREFIX = 'aiops-';

/** A short stable key per origin, so each AI Ops host has its own egress group. */
export function egressKey(origin: string): string {
  let hash = 0x811c9dc5;
  for (const char of origin) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${EGRESS_KEY_PREFIX}${hash.toString(16).padStart(8, '0')}`;
}

/** Whether Jira reports `origin` as approved for backend fetches, read once. */
export async function originApproved(origin: string): Promise<boolean> {
  try {
    const answer = await permissions.egress.get({});
    return (answer?.results ?? []).some((group) => group.configured.some((entry) => originOf(entry.domain) === origin && (entry.type as string[]).includes('FETCH_BACKEND_SIDE')));
  } catch {
    return false;
  }
}

export interface EgressState {
  /** The saved base URL's origin, if any. */
  origin?: string;
  /** Undefined while reading; otherwise what Jira reports for the origin. */
  approved?: boolean;
  /** Other AI Ops hosts this app still has approvals for. */
  others: Array<{ key: string; domains: string[] }>;
}

export function useEgress(baseUrl: string | undefined) {
  const origin = originOf(baseUrl);
  const [state, setState] = useState<EgressState>({ origin, others: [] });

  /** Reads what Jira reports now; answers whether the saved origin is approved. */
  const read = useCallback(async (): Promise<boolean> => {
    if (!origin) {
      setState({ origin, approved: false, others: [] });
      return false;
    }
    try {
      const answer = await permissions.egress.get({});
      const groups = answer?.results ?? [];
      const approved = groups.some((group) => group.configured.some((entry) => originOf(entry.domain) === origin && (entry.type as string[]).includes('FETCH_BACKEND_SIDE')));
      const others = groups
        .filter((group) => group.key.startsWith(EGRESS_KEY_PREFIX) && !group.configured.some((entry) => originOf(entry.domain) === origin))
        .map((group) => ({ key: group.key, domains: group.configured.map((entry) => entry.domain) }));
      setState({ origin, approved, others });
      return approved;
    } catch {
      setState({ origin, approved: false, others: [] });
      return false;
    }
  }, [origin]);

  useEffect(() => {
    void read();
  }, [read]);

  /** Asks Jira to approve the saved origin; the state then reads what Jira reports, approved or declined. */
  const approve = async (description: string) => {
    if (!origin) return;
    try {
      await permissions.egress.set({ egresses: [{ key: egressKey(origin), description, configured: [{ domain: origin, type: [BACKEND_FETCH] }] }] });
    } finally {
      await read();
    }
  };

  /** Removes the approval of a host the app no longer uses (Jira asks the admin to confirm). */
  const remove = async (key: string) => {
    try {
      await permissions.egress.deleteGroup({ key });
    } finally {
      await read();
    }
  };

  return { ...state, read, approve, remove };
}
