// A call the app's scopes do not cover (GET /rest/api/3/user needs read:jira-user): the lint must refuse it.
import api, { route } from '@forge/api';

export async function readUser(accountId: string): Promise<unknown> {
  return api.asApp().requestJira(route`/rest/api/3/user?accountId=${accountId}`);
}
