/**
 * What an agent can do with a result, as the panel offers it: the issues the analysis names, its
 * suggestions with their state (offered, applied, dismissed), the missing information to ask the
 * reporter for, whether people found it helpful, and what was done so far, worded for the reader.
 */
import { adfToPlainText } from './adf-text';
import { issueKeysIn, SUGGESTION_FIELDS, suggestionsIn, type AnalysisSection, type SuggestionField, type Suggestions } from './analysis';
import type { DeliveryRun, ResultAction } from './enhancement';
import type { Translate } from './i18n';

export interface SuggestionView {
  field: SuggestionField;
  /** The suggested values (one for priority and issue type). */
  values: string[];
  state: 'offered' | 'applied' | 'dismissed';
  confidence?: number;
}

export interface ResultExtras {
  /** Issue keys the analysis names (cards are read as the viewer, on demand). */
  similar: string[];
  suggestions: SuggestionView[];
  /** What the reporter should add, for a draft reply. */
  missing: string[];
  feedback: { helpful: number; notHelpful: number; mine?: boolean; myReason?: string };
  /** What people did with this result, newest first: who (an account id, shown with UI Kit's User; none: the project's auto-apply), what, when. */
  done: Array<{ text: string; by?: string; at: string }>;
}

const MISSING = /^(missing information|fehlende informationen|不足している情報)$/i;

/** The list items of the analysis's "Missing information" section, when the suggestions name none. */
function missingFromSections(sections: AnalysisSection[] | undefined): string[] {
  const section = sections?.find((s) => MISSING.test(s.title.trim()));
  if (!section) return [];
  return adfToPlainText(section.document)
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*\u2022]|\d+[.)])\s+/, '').trim())
    .filter((line) => line.length > 0 && !/^nothing/i.test(line))
    .slice(0, 20);
}

/** The latest state of a suggestion for a field, from the run's actions. */
function stateOf(actions: ResultAction[] | undefined, field: SuggestionField): SuggestionView['state'] {
  const last = [...(actions ?? [])].reverse().find((a) => a.target === field && ['applied', 'dismissed', 'auto-applied'].includes(a.kind));
  if (!last) return 'offered';
  return last.kind === 'dismissed' ? 'dismissed' : 'applied';
}

function wordAction(action: ResultAction, t: Translate): string {
  const field = action.kind === 'linked' || action.kind === 'replied' ? action.target : t(`suggest.field.${action.target}`);
  const key = action.kind === 'applied' && action.replaced ? 'suggest.done.replaced' : `suggest.done.${action.kind}`;
  return t(key, { field, value: action.value ?? '', replaced: action.replaced ?? '' });
}

export function resultExtras(
  run: DeliveryRun,
  analysis: { body: unknown; text: string; sections?: AnalysisSection[] },
  reader: string | undefined,
  t: Translate,
): ResultExtras {
  const suggestions: Suggestions | undefined = suggestionsIn(analysis.body) ?? run.suggestions;
  const views: SuggestionView[] = [];
  for (const field of SUGGESTION_FIELDS) {
    const value = suggestions?.[field];
    if (value === undefined) continue;
    views.push({ field, values: Array.isArray(value) ? value : [value], state: stateOf(run.actions, field), ...(suggestions?.confidence !== undefined ? { confidence: suggestions.confidence } : {}) });
  }
  const votes = Object.values(run.feedback ?? {});
  const mine = reader ? run.feedback?.[reader] : undefined;
  return {
    similar: issueKeysIn(analysis.text, run.issueKey),
    suggestions: views,
    missing: suggestions?.missing_information ?? missingFromSections(analysis.sections),
    feedback: { helpful: votes.filter((v) => v.helpful).length, notHelpful: votes.filter((v) => !v.helpful).length, ...(mine ? { mine: mine.helpful, ...(mine.reason ? { myReason: mine.reason } : {}) } : {}) },
    done: [...(run.actions ?? [])].reverse().map((action) => ({ text: wordAction(action, t), ...(action.by ? { by: action.by } : {}), at: action.at })),
  };
}

/** The draft the agent edits before asking the reporter: what is missing, one item a line. */
export function replyDraft(missing: string[], reporterName: string | undefined, t: Translate): string {
  const items = missing.map((item) => `- ${item}`).join('\n');
  return t('ask.draft', { name: reporterName ?? t('ask.there'), items });
}
