/**
 * Under a result: what an agent can do with it. Issues it names, linked in a click; its suggested
 * fields, applied, edited or dismissed; a reply asking the reporter for what is missing; whether
 * it helped; and what was done so far. A reader who may not edit the issue sees the analysis and
 * the history, no actions.
 */
import React from 'react';
import { Stack, Text } from '@forge/react';
import type { ResultView } from '../../core/panel-view';
import { AskReporter } from './actions/ask-reporter';
import { Helpful } from './actions/helpful';
import { ResultHistory } from './actions/result-history';
import { SimilarIssues } from './actions/similar-issues';
import { Suggestions } from './actions/suggestions';
import { useExtras } from './actions/use-extras';

export function ResultActions({ result, may, reader, reload }: { result: ResultView; may?: { apply: boolean; link: boolean; reply: boolean }; reader?: string; reload: () => Promise<void> }) {
  const extras = result.extras;
  const wanted = Boolean(extras && (extras.similar.length > 0 || extras.suggestions.length > 0 || (may?.reply && extras.missing.length > 0)));
  const jira = useExtras(result.deliveryId, extras?.similar ?? [], wanted);
  if (!extras || !result.deliveryId) return null;
  const deliveryId = result.deliveryId;
  const done = async () => {
    await Promise.all([reload(), jira.reload()]);
  };
  return (
    <Stack space="space.200">
      {jira.extras ? <SimilarIssues deliveryId={deliveryId} extras={jira.extras} canLink={Boolean(may?.link)} onDone={done} /> : null}
      <Suggestions deliveryId={deliveryId} suggestions={extras.suggestions} extras={jira.extras} canApply={Boolean(may?.apply)} onDone={done} />
      {may?.reply && jira.extras ? <AskReporter deliveryId={deliveryId} missing={extras.missing} reporter={jira.extras.reporter} serviceDesk={jira.extras.serviceDesk} onDone={done} /> : null}
      {jira.error ? <Text>{jira.error}</Text> : null}
      <Helpful deliveryId={deliveryId} feedback={extras.feedback} canVote={Boolean(may?.apply)} onDone={reload} />
      <ResultHistory done={extras.done} reader={reader} />
    </Stack>
  );
}
