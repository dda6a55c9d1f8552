/**
 * The sandbox's Jira-like browser host: project issue list, create form, issue view with the app's
 * panel, project settings and admin pages, a user switcher. It loads the app's UI Kit bundles
 * unmodified and answers their bridge calls the way Jira does.
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import Button from '@atlaskit/button/new';
import { ErrorMessage, Label } from '@atlaskit/form';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Select from '@atlaskit/select';
import Spinner from '@atlaskit/spinner';
import TextArea from '@atlaskit/textarea';
import Textfield from '@atlaskit/textfield';
import { AdfView } from './adf-view';
import { ForgeDocView, type ForgeNode } from './forge-doc-view';

const USERS = ['admin', 'lead', 'agent', 'viewer', 'aiops'];
const user = localStorage.getItem('sandbox-user') ?? 'agent';
const LICENCES = ['none', 'active', 'evaluation', 'inactive'];

/** A choice in the host's header (who is signed in, their language, the site's licence). */
function HeaderChoice({ id, label, options, value, onPick }: { id: string; label: string; options: ReadonlyArray<readonly [string, string]>; value: string; onPick: (value: string) => void }) {
  const choices = options.map(([key, name]) => ({ label: name, value: key }));
  return (
    <div className="sbx-user">
      <Select inputId={id} aria-label={label} options={choices} value={choices.find((c) => c.value === value) ?? { label: value, value }} onChange={(o) => o && onPick(o.value)} />
    </div>
  );
}

/** A header choice kept for this browser, then the page again as that choice sees it. */
function remember(key: string, value: string) {
  localStorage.setItem(key, value);
  window.location.reload();
}
/** `none`: no licence in the context, as in a development or staging installation. */
const licenceLabel = (state: string) => `Licence: ${state === 'none' ? 'none (dev)' : state}`;
/** The signed-in user's Jira locale: the app ships these three. */
const LOCALES = [
  ['en-US', 'English'],
  ['de-DE', 'Deutsch'],
  ['ja-JP', '日本語'],
] as const;
const locale = localStorage.getItem('sandbox-locale') ?? 'en-US';

/** The site's licence for the app, as the sandbox reports it (and as `getContext` hands it to the UI). */
let licence: { state: string; license: Record<string, unknown> | null } = { state: 'none', license: null };
async function loadLicence(): Promise<void> {
  licence = (await (await fetch('/__sandbox/licence')).json()) as typeof licence;
}

async function jira<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(path, { ...init, headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': user, ...(init.headers ?? {}) } });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function hasPermission(permission: string, projectKey?: string): Promise<boolean> {
  const query = projectKey ? `projectKey=${projectKey}&permissions=${permission}` : `permissions=${permission}`;
  const { body } = await jira<{ permissions?: Record<string, { havePermission: boolean }> }>(`/rest/api/3/mypermissions?${query}`);
  return Boolean(body?.permissions?.[permission]?.havePermission);
}

// ---- the Forge bridge ----------------------------------------------------------------------

interface ModuleContext {
  moduleKey: string;
  resource: string;
  issueKey?: string;
  projectKey?: string;
  /** An Automation action's configuration form: the inputs saved with the rule so far. */
  actionInputs?: Record<string, unknown>;
  onSubmit?: (inputs: Record<string, unknown>) => void;
}

interface ConsentRequest {
  domains: string[];
  /** Removing an approval, rather than granting one. */
  removal?: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

let consentListener: ((request: ConsentRequest | undefined) => void) | undefined;

function installBridge(context: ModuleContext, onDoc: (doc: ForgeNode) => void, onError: (message: string) => void) {
  (window as unknown as { __bridge: unknown }).__bridge = {
    callBridge: async (command: string, data: any): Promise<unknown> => {
      switch (command) {
        case 'reconcile':
          onDoc(data.forgeDoc as ForgeNode);
          return undefined;
        case 'invoke': {
          const response = await fetch('/__sandbox/invoke', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ moduleKey: context.moduleKey, functionKey: data.functionKey, payload: data.payload, accountId: user, issueKey: context.issueKey, projectKey: context.projectKey }),
          });
          const answer = (await response.json()) as { body?: unknown; error?: { status: number; message: string } };
          if (answer.error) throw new Error(answer.error.message);
          return answer.body;
        }
        case 'getContext':
          return {
            moduleKey: context.moduleKey,
            accountId: user,
            locale,
            ...(licence.license ? { license: licence.license } : {}),
            extension: context.actionInputs !== undefined
              ? { type: 'action', ...(Object.keys(context.actionInputs).length > 0 ? { data: { inputs: context.actionInputs } } : {}) }
              : { issue: context.issueKey ? { key: context.issueKey } : undefined, project: context.projectKey ? { key: context.projectKey } : undefined },
          };
        case 'submit':
          // `view.submit` from an Automation action's form: Automation keeps the inputs with the rule.
          context.onSubmit?.(data as Record<string, unknown>);
          return true;
        case 'subscribeRealtimeChannel': {
          const token = data.options?.token ? `&token=${encodeURIComponent(data.options.token)}` : '';
          const source = new EventSource(`/__sandbox/realtime?channel=${encodeURIComponent(data.channelName)}${token}`);
          source.onmessage = (message) => data.onEvent(message.data);
          return { unsubscribe: () => source.close() };
        }
        case '__permission__egressSet': {
          const domains = (data.egresses ?? []).flatMap((g: { configured: Array<{ domain: string }> }) => g.configured.map((c) => c.domain));
          await new Promise<void>((resolve, reject) => consentListener?.({ domains, resolve, reject }));
          const response = await fetch('/__sandbox/egress', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': user }, body: JSON.stringify(data) });
          if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
          return response.json();
        }
        case '__permission__egressGet': {
          const keys = Array.isArray(data?.keys) ? `?keys=${encodeURIComponent(data.keys.join(','))}` : '';
          return (await fetch(`/__sandbox/egress${keys}`)).json();
        }
        case '__permission__egressDeleteGroup': {
          // "Only allow admins to set or delete configuration (they show an admin consent modal)" (docs "customer-managed-egress-and-remotes").
          const group = (((await (await fetch('/__sandbox/egress')).json()) as { results: Array<{ key: string; configured: Array<{ domain: string }> }> }).results ?? []).find((g) => g.key === data.key);
          await new Promise<void>((resolve, reject) => consentListener?.({ domains: group?.configured.map((c) => c.domain) ?? [data.key], removal: true, resolve, reject }));
          const response = await fetch(`/__sandbox/egress/${encodeURIComponent(data.key)}`, { method: 'DELETE', headers: { 'X-Sandbox-Account': user } });
          if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
          return undefined;
        }
        case 'onError':
          onError(String(data?.error?.message ?? data?.error ?? 'the app failed'));
          return undefined;
        default:
          return undefined;
      }
    },
  };
}

function ConsentDialog() {
  const [request, setRequest] = useState<ConsentRequest>();
  useEffect(() => {
    consentListener = setRequest;
  }, []);
  const close = (approve: boolean) => {
    if (approve) request?.resolve();
    else request?.reject(new Error('The administrator declined the egress request'));
    setRequest(undefined);
  };
  return (
    <ModalTransition>
      {request ? (
        <Modal onClose={() => close(false)} testId="egress-consent">
          <ModalHeader>
            <ModalTitle>{request.removal ? 'Remove AI Ops Ticket Enhancer\'s access?' : 'Allow AI Ops Ticket Enhancer to send data?'}</ModalTitle>
          </ModalHeader>
          <ModalBody>
            <Stack space="space.100">
              <Text as="p">{request.removal ? 'The app asks to stop sending data to:' : 'The app asks to send Jira data from its backend to:'}</Text>
              {request.domains.map((d) => (
                <Text as="p" key={d} weight="bold">
                  {d}
                </Text>
              ))}
              <Text as="p">Only site administrators can approve this.</Text>
            </Stack>
          </ModalBody>
          <ModalFooter>
            <Button appearance="subtle" onClick={() => close(false)}>
              Deny
            </Button>
            <Button appearance="primary" onClick={() => close(true)}>
              Allow
            </Button>
          </ModalFooter>
        </Modal>
      ) : null}
    </ModalTransition>
  );
}

/** One Forge UI Kit module, inside its own frame: its bundle runs there and its tree is drawn there. */
function ModuleBody(context: ModuleContext) {
  const [doc, setDoc] = useState<{ root?: ForgeNode; version: number }>({ version: 0 });
  const [error, setError] = useState<string>();
  useEffect(() => {
    installBridge(context, (root) => setDoc((d) => ({ root, version: d.version + 1 })), setError);
    const script = document.createElement('script');
    script.src = `/__host/resources/${context.resource}.js`;
    script.onerror = () => setError(`The UI bundle ${context.resource} could not be loaded`);
    document.body.appendChild(script);
  }, []);
  return (
    <div className="sbx-module" data-module={context.moduleKey}>
      {error ? (
        <SectionMessage appearance="error" title="The app failed">
          <Text>{error}</Text>
        </SectionMessage>
      ) : null}
      {doc.root ? <ForgeDocView node={doc.root} /> : <Spinner label="Loading app" />}
    </div>
  );
}

/**
 * Where Jira draws a UI Kit module: a frame of its own per module, as Jira isolates apps (two
 * modules on one page, such as the issue context and the issue panel, never share a bridge). The
 * frame tells the page its height, so it needs no scroll bar.
 */
function ForgeModule(context: ModuleContext) {
  const [height, setHeight] = useState(120);
  const src = `/__host/frame?${new URLSearchParams(Object.entries(context).filter(([, v]) => v !== undefined) as Array<[string, string]>).toString()}`;
  useEffect(() => {
    const listen = (event: MessageEvent) => {
      if (event.origin === window.location.origin && event.data?.type === 'sbx-height' && event.data.moduleKey === context.moduleKey) setHeight(Math.max(60, Number(event.data.height) || 0));
    };
    window.addEventListener('message', listen);
    return () => window.removeEventListener('message', listen);
  }, [context.moduleKey]);
  return <iframe className="sbx-frame" data-module={context.moduleKey} title={context.moduleKey} src={src} style={{ height }} />;
}

/** A page that holds one module only (admin, project settings): drawn in the page itself, with its consent dialog. */
function SoleModule(context: ModuleContext) {
  return (
    <>
      <ModuleBody {...context} />
      <ConsentDialog />
    </>
  );
}

/** The page inside a module's frame: the module alone, its consent dialog, and its height for the parent. */
function ModuleFramePage() {
  const params = new URLSearchParams(window.location.search);
  const context: ModuleContext = { moduleKey: params.get('moduleKey') ?? '', resource: params.get('resource') ?? '', issueKey: params.get('issueKey') ?? undefined, projectKey: params.get('projectKey') ?? undefined };
  useEffect(() => {
    const report = () => window.parent.postMessage({ type: 'sbx-height', moduleKey: context.moduleKey, height: Math.ceil(document.documentElement.scrollHeight) }, window.location.origin);
    const observer = new ResizeObserver(report);
    observer.observe(document.body);
    report();
    return () => observer.disconnect();
  }, []);
  return (
    <main className="sbx-frame-main">
      <ModuleBody {...context} />
      <ConsentDialog />
    </main>
  );
}

// ---- Jira screens -----------------------------------------------------------------------------

/**
 * An Automation rule with the app's action, as Jira's rule editor shows it: the action's
 * configuration form (the app's `automation-config` resource), the inputs it submits, and a run of
 * the rule on an issue, as Automation would run it as the rule's actor.
 */
function AutomationRule() {
  const remembered = 'sandbox-automation-inputs';
  const [inputs, setInputs] = useState<Record<string, unknown>>(() => JSON.parse(localStorage.getItem(remembered) ?? '{}') as Record<string, unknown>);
  const [issueKey, setIssueKey] = useState('DEMO-1');
  const [answer, setAnswer] = useState<string>();
  const save = (next: Record<string, unknown>) => {
    localStorage.setItem(remembered, JSON.stringify(next));
    setInputs(next);
  };
  const run = async () => {
    setAnswer('Running…');
    const resolved = { ...inputs, issueKey: String(inputs.issueKey ?? '{{issue.key}}').replace('{{issue.key}}', issueKey), ruleName: 'Sandbox rule' };
    const response = await jira<unknown>('/__sandbox/automation', { method: 'POST', body: JSON.stringify({ inputs: resolved }) });
    setAnswer(JSON.stringify(response.body, null, 2));
  };
  return (
    <Stack space="space.200">
      <Heading size="large">Automation rule: Send to AI Ops Ticket Enhancer</Heading>
      <Text as="p">The action's configuration form, as the rule editor shows it. What it submits is saved with the rule.</Text>
      <section className="sbx-issue-panel">
        <ModuleBody moduleKey="send-to-ticket-enhancer" resource="automation-config" actionInputs={inputs} onSubmit={save} />
      </section>
      <Text as="p">{`Saved with the rule: ${JSON.stringify(inputs)}`}</Text>
      <Inline space="space.100" alignBlock="center">
        <Label htmlFor="rule-issue">Run the rule on</Label>
        <Textfield id="rule-issue" width="small" value={issueKey} onChange={(e) => setIssueKey((e.target as HTMLInputElement).value)} />
        <Button appearance="primary" onClick={() => void run()}>
          Run rule
        </Button>
      </Inline>
      {answer ? <pre className="sbx-code-block">{answer}</pre> : null}
    </Stack>
  );
}

interface Issue {
  id: string;
  key: string;
  fields: Record<string, any>;
}

/** The app's status of an issue, as its issue property holds it (what `ticketEnhancerStatus` searches). */
const STATUS_LOZENGE: Record<string, 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success'> = { completed: 'success', failed: 'removed', 'timed-out': 'removed', running: 'inprogress', accepted: 'new', queued: 'new', retrying: 'moved', waiting: 'moved' };

/**
 * The project's issues, found with JQL, with a column for the app's status (the indexed issue
 * property), so a lead can find failed and missing tickets: Jira's own search does the same with
 * `ticketEnhancerStatus`.
 */
function IssueList({ projectKey }: { projectKey: string }) {
  const base = `project = ${projectKey}`;
  const [jql, setJql] = useState(new URLSearchParams(window.location.search).get('jql') ?? `${base} ORDER BY created DESC`);
  const [issues, setIssues] = useState<Array<Issue & { properties?: Record<string, { status?: string }> }>>();
  const [error, setError] = useState<string>();
  const search = (query: string) => {
    setJql(query);
    void jira<{ issues?: Array<Issue & { properties?: Record<string, { status?: string }> }>; errorMessages?: string[] }>(`/rest/api/3/search/jql?jql=${encodeURIComponent(query)}&maxResults=100&properties=ticket-enhancer`).then((r) => {
      setError(r.status === 200 ? undefined : (r.body.errorMessages ?? []).join(' '));
      setIssues(r.status === 200 ? (r.body.issues ?? []) : []);
    });
  };
  useEffect(() => search(jql), [projectKey]);
  const quick: Array<[string, string]> = [
    ['All', `${base} ORDER BY created DESC`],
    ['Ticket Enhancer failed', `${base} AND ticketEnhancerStatus in (failed, "timed-out")`],
    ['Not sent', `${base} AND (ticketEnhancerStatus IS EMPTY OR ticketEnhancerStatus = "not-sent")`],
  ];
  return (
    <Stack space="space.200">
      <Inline spread="space-between" alignBlock="center">
        <Heading size="large">{`${projectKey} issues`}</Heading>
        <a className="sbx-button-link" href={`/projects/${projectKey}/create`}>
          Create issue
        </a>
      </Inline>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          search(jql);
        }}
      >
        <Inline space="space.100" alignBlock="center">
          <div style={{ flex: 1 }}>
            <Textfield aria-label="JQL" name="jql" value={jql} onChange={(e) => setJql((e.target as HTMLInputElement).value)} />
          </div>
          <Button type="submit">Search</Button>
        </Inline>
      </form>
      <Inline space="space.100">
        {quick.map(([name, query]) => (
          <Button key={name} appearance="subtle" onClick={() => search(query)}>
            {name}
          </Button>
        ))}
      </Inline>
      {error ? <SectionMessage appearance="error">{error}</SectionMessage> : null}
      {!issues ? <Spinner /> : null}
      {issues?.length === 0 && !error ? <Text as="p">No issues match.</Text> : null}
      <table className="sbx-issues">
        <thead>
          <tr>
            <th>Type</th>
            <th>Key</th>
            <th>Summary</th>
            <th>Priority</th>
            <th>Status</th>
            <th>Ticket Enhancer</th>
          </tr>
        </thead>
        <tbody>
          {issues?.map((issue) => {
            const status = issue.properties?.['ticket-enhancer']?.status;
            return (
              <tr key={issue.id}>
                <td>{issue.fields.issuetype?.name}</td>
                <td>
                  <a href={`/browse/${issue.key}`}>{issue.key}</a>
                </td>
                <td>{issue.fields.summary}</td>
                <td>{issue.fields.priority?.name}</td>
                <td>
                  <Lozenge>{issue.fields.status?.name}</Lozenge>
                </td>
                <td>{status ? <Lozenge appearance={STATUS_LOZENGE[status] ?? 'default'}>{status}</Lozenge> : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Stack>
  );
}

function CreateIssue({ projectKey }: { projectKey: string }) {
  const [types, setTypes] = useState<Array<{ id: string; name: string }>>([]);
  const [priorities, setPriorities] = useState<Array<{ id: string; name: string }>>([]);
  const [summary, setSummary] = useState('');
  const [type, setType] = useState<string>();
  const [priority, setPriority] = useState<string>();
  const [labels, setLabels] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void jira<{ id: string }>(`/rest/api/3/project/${projectKey}`).then(async (p) => {
      const t = await jira<Array<{ id: string; name: string }>>(`/rest/api/3/issuetype/project?projectId=${p.body.id}`);
      setTypes(t.body);
      setType(t.body[0]?.name);
      // The project's own priorities, from its create metadata (as Jira's create dialog does).
      const meta = await jira<{ fields: Array<{ fieldId: string; allowedValues?: Array<{ id: string; name: string }> }> }>(`/rest/api/3/issue/createmeta/${p.body.id}/issuetypes/${t.body[0]?.id}`);
      const values = meta.body.fields?.find((f) => f.fieldId === 'priority')?.allowedValues ?? [];
      setPriorities(values);
      setPriority(values[Math.floor(values.length / 2)]?.name);
    });
  }, [projectKey]);
  const create = async () => {
    setBusy(true);
    const { status, body } = await jira<{ key?: string; errors?: Record<string, string>; errorMessages?: string[] }>('/rest/api/3/issue', {
      method: 'POST',
      body: JSON.stringify({
        fields: { project: { key: projectKey }, summary, issuetype: { name: type }, ...(priority ? { priority: { name: priority } } : {}), labels: labels.split(/[\s,]+/).filter(Boolean), description },
      }),
    });
    setBusy(false);
    if (status === 201 && body.key) window.location.href = `/browse/${body.key}`;
    else setErrors({ ...(body.errors ?? {}), ...(body.errorMessages?.length ? { form: body.errorMessages.join(' ') } : {}) });
  };
  const option = (name?: string) => (name ? { label: name, value: name } : null);
  return (
    <Stack space="space.200">
      <Heading size="large">{`Create issue in ${projectKey}`}</Heading>
      {errors.form ? <SectionMessage appearance="error">{errors.form}</SectionMessage> : null}
      <Stack space="space.050">
        <Label htmlFor="summary">Summary</Label>
        <Textfield id="summary" value={summary} onChange={(e) => setSummary((e.target as HTMLInputElement).value)} isInvalid={Boolean(errors.summary)} />
        {errors.summary ? <ErrorMessage>{errors.summary}</ErrorMessage> : null}
      </Stack>
      <Inline space="space.200">
        <Box xcss={undefined}>
          <Label htmlFor="issuetype">Type</Label>
          <Select inputId="issuetype" options={types.map((t) => option(t.name)!)} value={option(type)} onChange={(o) => setType(o?.value)} />
        </Box>
        <Box>
          <Label htmlFor="priority">Priority</Label>
          <Select inputId="priority" options={priorities.map((p) => option(p.name)!)} value={option(priority)} onChange={(o) => setPriority(o?.value)} />
        </Box>
      </Inline>
      <Stack space="space.050">
        <Label htmlFor="labels">Labels</Label>
        <Textfield id="labels" value={labels} onChange={(e) => setLabels((e.target as HTMLInputElement).value)} placeholder="comma separated" isInvalid={Boolean(errors.labels)} />
        {errors.labels ? <ErrorMessage>{errors.labels}</ErrorMessage> : null}
      </Stack>
      <Stack space="space.050">
        <Label htmlFor="description">Description</Label>
        <TextArea id="description" value={description} onChange={(e) => setDescription(e.target.value)} minimumRows={6} />
      </Stack>
      <Inline space="space.100">
        <Button appearance="primary" onClick={() => void create()} isDisabled={busy}>
          Create
        </Button>
        <a href={`/projects/${projectKey}`}>Cancel</a>
      </Inline>
    </Stack>
  );
}

interface IssueModules {
  contexts: Array<{ key: string; resource: string; label: string; title: string; visible: boolean; status: { type: string; value: { label: string; type?: string } } | null }>;
  panels: Array<{ key: string; resource: string; title: string; added: boolean }>;
}

async function issueModules(issueKey: string): Promise<IssueModules> {
  return (await jira<IssueModules>(`/__sandbox/issue-modules?issueKey=${encodeURIComponent(issueKey)}&locale=${encodeURIComponent(locale)}`)).body;
}

/**
 * An issue context panel as Jira draws it (docs "jira-issue-context"): on the right, collapsible;
 * collapsed, its label and the status its dynamic properties give (asked again each time it
 * collapses); expanded, the module. Jira remembers per user whether it was expanded.
 */
function IssueContextPanel({ issueKey, projectKey, module, onCollapse }: { issueKey: string; projectKey: string; module: IssueModules['contexts'][number]; onCollapse: () => void }) {
  const remembered = `sandbox-context-${module.key}`;
  const [open, setOpen] = useState(localStorage.getItem(remembered) === 'open');
  const toggle = () => {
    localStorage.setItem(remembered, open ? 'closed' : 'open');
    if (open) onCollapse();
    setOpen(!open);
  };
  return (
    <div className="sbx-context" data-context={module.key}>
      <button type="button" className="sbx-context-head" aria-expanded={open} onClick={toggle}>
        <span>{open ? '▾' : '▸'}</span>
        <strong>{module.label}</strong>
        {!open && module.status ? <Lozenge appearance={(module.status.value.type as 'default') ?? 'default'}>{module.status.value.label}</Lozenge> : null}
      </button>
      {open ? (
        <div className="sbx-context-body">
          <ForgeModule moduleKey={module.key} resource={module.resource} issueKey={issueKey} projectKey={projectKey} />
        </div>
      ) : null}
    </div>
  );
}

function IssueView({ issueKey }: { issueKey: string }) {
  const [issue, setIssue] = useState<Issue | null>();
  const [modules, setModules] = useState<IssueModules>();
  const refreshModules = () => void issueModules(issueKey).then(setModules);
  useEffect(() => {
    void jira<Issue>(`/rest/api/3/issue/${issueKey}`).then((r) => setIssue(r.status === 200 ? r.body : null));
    refreshModules();
  }, [issueKey]);
  if (issue === undefined) return <Spinner />;
  if (issue === null) return <SectionMessage appearance="warning" title="Issue not found">{`${issueKey} does not exist or you cannot see it.`}</SectionMessage>;
  const f = issue.fields;
  const addable = modules?.panels.filter((p) => !p.added) ?? [];
  const add = async (moduleKey: string) => {
    await jira('/__sandbox/issue-panels', { method: 'POST', body: JSON.stringify({ issueKey: issue.key, moduleKey }) });
    refreshModules();
  };
  return (
    <div className="sbx-issue">
      <div className="sbx-issue-main">
        <Stack space="space.200">
          <a href={`/projects/${f.project.key}`}>{`${f.project.name} / ${issue.key}`}</a>
          <Heading size="large">{f.summary}</Heading>
          {addable.length > 0 ? (
            <div className="sbx-quick-add" data-testid="quick-add">
              <Text>Apps:</Text>
              {addable.map((p) => (
                <Button key={p.key} onClick={() => void add(p.key)}>
                  {p.title}
                </Button>
              ))}
            </div>
          ) : null}
          <Inline space="space.100">
            <Lozenge>{f.status?.name}</Lozenge>
            <Text>{`${f.issuetype?.name} · ${f.priority?.name ?? 'No priority'} · reported by ${f.reporter?.displayName}`}</Text>
          </Inline>
          {f.labels?.length ? <Text>{`Labels: ${f.labels.join(', ')}`}</Text> : null}
          <Heading size="small">Description</Heading>
          {f.description ? <AdfView doc={f.description} /> : <Text as="p">No description</Text>}
          {modules?.panels
            .filter((p) => p.added)
            .map((p) => (
              <section key={p.key} className="sbx-issue-panel" data-panel={p.key}>
                <Stack space="space.150">
                  <Heading size="small">{p.title}</Heading>
                  <ForgeModule moduleKey={p.key} resource={p.resource} issueKey={issue.key} projectKey={f.project.key} />
                </Stack>
              </section>
            ))}
          <Comments issueKey={issue.key} />
        </Stack>
      </div>
      <aside className="sbx-issue-side">
        <Stack space="space.150">
          <Heading size="small">Details</Heading>
          <Text>{`Assignee: ${f.assignee?.displayName ?? 'Unassigned'}`}</Text>
          {modules?.contexts
            .filter((c) => c.visible)
            .map((c) => (
              <IssueContextPanel key={c.key} issueKey={issue.key} projectKey={f.project.key} module={c} onCollapse={refreshModules} />
            ))}
        </Stack>
      </aside>
    </div>
  );
}

interface Comment {
  id: string;
  author: { displayName: string };
  body: unknown;
  created: string;
}

/** The issue's comments, refreshed every few seconds (the AI Ops agent posts its analysis here). */
function Comments({ issueKey }: { issueKey: string }) {
  const [comments, setComments] = useState<Comment[]>([]);
  useEffect(() => {
    const load = () => void jira<{ comments: Comment[] }>(`/rest/api/3/issue/${issueKey}/comment?orderBy=created`).then((r) => setComments(r.body.comments ?? []));
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [issueKey]);
  return (
    <Stack space="space.150">
      <Heading size="small">{`Comments (${comments.length})`}</Heading>
      {comments.map((comment) => (
        <div key={comment.id} id={`comment-${comment.id}`} className="sbx-comment">
          <Text as="p" weight="bold">{`${comment.author.displayName} · ${new Date(comment.created.replace(/\+0000$/, 'Z')).toLocaleString()}`}</Text>
          <AdfView doc={comment.body} />
        </div>
      ))}
    </Stack>
  );
}

function Restricted({ what }: { what: string }) {
  return (
    <SectionMessage appearance="warning" title="You don't have access to this page">
      <Text as="p">{`${what} Switch to a user who has it (top right).`}</Text>
    </SectionMessage>
  );
}

function Guarded({ check, what, children }: { check: () => Promise<boolean>; what: string; children: React.ReactNode }) {
  const [allowed, setAllowed] = useState<boolean>();
  useEffect(() => {
    void check().then(setAllowed);
  }, []);
  if (allowed === undefined) return <Spinner />;
  return allowed ? <>{children}</> : <Restricted what={what} />;
}

function Page() {
  const path = window.location.pathname;
  const [isAdmin, setIsAdmin] = useState(false);
  const [projectAdmin, setProjectAdmin] = useState(false);
  const projectKey = path.match(/^\/projects\/([A-Z]+)/)?.[1] ?? path.match(/^\/browse\/([A-Z]+)-/)?.[1] ?? 'DEMO';
  useEffect(() => {
    void hasPermission('ADMINISTER').then(setIsAdmin);
    void hasPermission('ADMINISTER_PROJECTS', projectKey).then(setProjectAdmin);
  }, [projectKey]);

  let content: React.ReactNode;
  let match: RegExpMatchArray | null;
  if ((match = path.match(/^\/browse\/([A-Z]+-\d+)$/))) content = <IssueView issueKey={match[1]} />;
  else if ((match = path.match(/^\/projects\/([A-Z]+)\/create$/))) content = <CreateIssue projectKey={match[1]} />;
  else if ((match = path.match(/^\/projects\/([A-Z]+)\/settings\/apps$/) ?? path.match(/^\/jira\/software\/projects\/([A-Z]+)\/settings\/apps(\/.*)?$/))) {
    const key = match[1];
    content = (
      <Guarded check={() => hasPermission('ADMINISTER_PROJECTS', key)} what={`Project settings need the Administer Projects permission on ${key}.`}>
        <SoleModule moduleKey="ticket-enhancer-project" resource="project-settings" projectKey={key} />
      </Guarded>
    );
  } else if (path === '/automation') {
    content = <AutomationRule />;
  } else if (path === '/admin/apps' || path.startsWith('/jira/settings/apps/')) {
    content = (
      <Guarded check={() => hasPermission('ADMINISTER')} what="App configuration is for Jira administrators.">
        <SoleModule moduleKey="ticket-enhancer-admin" resource="admin" />
      </Guarded>
    );
  } else content = <IssueList projectKey={(match = path.match(/^\/projects\/([A-Z]+)$/)) ? match[1] : 'DEMO'} />;

  return (
    <>
      <header className="sbx-top">
        <Inline space="space.300" alignBlock="center" spread="space-between">
          <Inline space="space.300" alignBlock="center">
            <a className="sbx-brand" href="/projects/DEMO">
              Jira <span>sandbox</span>
            </a>
            <a href="/projects/DEMO">DEMO issues</a>
            <a href="/projects/SUP">SUP issues</a>
            <a href={`/projects/${projectKey}/create`}>Create</a>
            {projectAdmin ? <a href={`/projects/${projectKey}/settings/apps`}>{`${projectKey} settings`}</a> : null}
            {isAdmin ? <a href="/admin/apps">Apps admin</a> : null}
            {projectAdmin ? <a href="/automation">Automation</a> : null}
          </Inline>
          <HeaderChoice id="sandbox-user" label="Signed in as" options={USERS.map((u) => [u, `Signed in as ${u}`])} value={user} onPick={(value) => remember('sandbox-user', value)} />
          <HeaderChoice id="sandbox-locale" label="Language of the signed-in user" options={LOCALES} value={locale} onPick={(value) => remember('sandbox-locale', value)} />
          <HeaderChoice
            id="sandbox-licence"
            label="App licence on this site"
            options={LICENCES.map((l) => [l, licenceLabel(l)])}
            value={licence.state}
            onPick={(state) => void fetch('/__sandbox/licence', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state }) }).then(() => window.location.reload())}
          />
        </Inline>
      </header>
      <main className="sbx-main">{content}</main>
    </>
  );
}

void loadLicence()
  .catch(() => undefined)
  .then(() => createRoot(document.getElementById('root')!).render(window.location.pathname === '/__host/frame' ? <ModuleFramePage /> : <Page />));
