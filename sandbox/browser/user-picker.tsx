/**
 * The host's drawing of UI Kit's UserPicker: Jira searches its users as the signed-in person and
 * hands the app `{ id, name, email, avatarUrl, type }` (docs "ui-kit/components/user-picker").
 */
import React, { useEffect, useState } from 'react';
import { HelperMessage, Label } from '@atlaskit/form';
import Select from '@atlaskit/select';
import { Stack } from '@atlaskit/primitives';

interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
}

export function UserPickerView(props: { label: string; name: string; description?: string; defaultValue?: string; onChange: (user: unknown) => void }) {
  const [users, setUsers] = useState<JiraUser[]>([]);
  const [value, setValue] = useState<string | undefined>(props.defaultValue);
  useEffect(() => {
    void fetch('/rest/api/3/user/search?query=', { headers: { 'X-Sandbox-Account': localStorage.getItem('sandbox-user') ?? 'agent' } })
      .then((r) => r.json())
      .then((list: JiraUser[]) => setUsers(list));
  }, []);
  const options = users.map((u) => ({ label: u.displayName, value: u.accountId }));
  return (
    <Stack space="space.050">
      <Label htmlFor={props.name}>{props.label}</Label>
      <Select
        inputId={props.name}
        options={options}
        isClearable
        value={options.find((o) => o.value === value) ?? null}
        onChange={(choice) => {
          setValue(choice?.value);
          const user = users.find((u) => u.accountId === choice?.value);
          props.onChange(user ? { id: user.accountId, name: user.displayName, email: user.emailAddress ?? '', avatarUrl: '', type: 'user' } : undefined);
        }}
      />
      {props.description ? <HelperMessage>{props.description}</HelperMessage> : null}
    </Stack>
  );
}

/** The host's drawing of UI Kit's User: the account's name as Jira shows it to the signed-in person. */
export function UserView({ accountId }: { accountId: string }) {
  const [name, setName] = useState<string>();
  useEffect(() => {
    void fetch(`/rest/api/3/user/bulk?accountId=${encodeURIComponent(accountId)}`, { headers: { 'X-Sandbox-Account': localStorage.getItem('sandbox-user') ?? 'agent' } })
      .then((r) => r.json())
      .then((page: { values?: JiraUser[] }) => setName(page.values?.[0]?.displayName ?? 'Former user'));
  }, [accountId]);
  return <span className="sbx-user">{name ?? '…'}</span>;
}
