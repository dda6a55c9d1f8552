/** The parts of a result's actions that need Jira: issue cards, link state, suggestions checked against the project. */
import { useCallback, useEffect, useState } from 'react';
import { call } from '../../call';

export interface IssueCard {
  key: string;
  summary: string;
  status: string;
  done: boolean;
  linked: boolean;
}

export interface SuggestionCheck {
  field: 'labels' | 'priority' | 'components' | 'issuetype';
  applicable: string[];
  notApplicable: string[];
  current: string[];
}

export interface Extras {
  cards: IssueCard[];
  linkType: string;
  checks: SuggestionCheck[];
  reporter?: string;
  serviceDesk: boolean;
}

export function useExtras(deliveryId: string | undefined, similar: string[], wanted: boolean) {
  const [extras, setExtras] = useState<Extras>();
  const [error, setError] = useState<string>();
  const key = similar.join(',');
  const load = useCallback(async () => {
    if (!deliveryId || !wanted) return;
    try {
      setExtras(await call<Extras>('resultExtras', { deliveryId, similar }));
      setError(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [deliveryId, key, wanted]);
  useEffect(() => {
    void load();
  }, [load]);
  return { extras, error, reload: load };
}
