/**
 * Runs a UI Kit resource with the real @forge/react reconciler and @forge/bridge, answering the
 * bridge the way Jira's host does: reconcile (the rendered tree), invoke (the real resolvers on the
 * sandbox, as the chosen user, with the module's context), getContext and realtime.
 */
import type { Sandbox } from '../../sandbox/sandbox';
import { licenceDetails } from '../../sandbox/runtime/forge-runtime';

export interface ForgeNode {
  type: string;
  props: Record<string, any>;
  children: ForgeNode[];
  key?: string;
}

export interface HostContext {
  moduleKey: string;
  user: string;
  issueKey?: string;
  projectKey?: string;
  /** The module's own context (an Automation action's `data.inputs` and `errors`). */
  extension?: Record<string, unknown>;
  /** The user's Jira locale (default en-US). */
  locale?: string;
}

export class UiHost {
  root?: ForgeNode;
  readonly invokes: Array<{ functionKey: string; payload: unknown; result: unknown }> = [];
  readonly egressRequests: unknown[] = [];
  approveEgress = true;
  /** While set, resolver calls wait for it: lets a test see a screen mid-request. */
  gate?: Promise<void>;
  private readonly unsubscribers: Array<() => void> = [];
  private mounted = false;

  /** Every `view.submit` payload, in order. */
  readonly submitted: unknown[] = [];

  constructor(
    private readonly sandbox: Sandbox,
    private readonly context: HostContext,
  ) {}

  /** Loads the resource module in a fresh module registry, as a new iframe would. */
  mount(modulePath: string): this {
    const g = globalThis as Record<string, unknown>;
    g.self = globalThis;
    g.__bridge = { callBridge: (command: string, data: any) => this.answer(command, data) };
    // The screen fetches its translations next to itself (./__LOCALES__/…), as deployed.
    const realFetch = (g.__uiHostRealFetch__ ??= g.fetch) as typeof fetch;
    g.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const match = url.match(/^\.\/__LOCALES__\/([^/]+)$/);
      if (!match) return realFetch(input, init);
      const text = this.sandbox.locales?.file(match[1]);
      return text === undefined ? new Response('not found', { status: 404, statusText: 'Not Found' }) : new Response(text, { headers: { 'Content-Type': 'application/json' } });
    };
    this.mounted = true;
    jest.isolateModules(() => {
      require(modulePath);
    });
    return this;
  }

  /** Like closing the iframe: the app's pending and later bridge calls never get an answer. */
  unmount(): void {
    this.mounted = false;
    for (const stop of this.unsubscribers.splice(0)) stop();
  }

  private async answer(command: string, data: any): Promise<unknown> {
    if (!this.mounted) return new Promise(() => undefined);
    switch (command) {
      case 'reconcile':
        // The reconciler posts to the global bridge; keep to the tree of the app this host mounted.
        if (!this.root || this.root === data.forgeDoc) this.root = data.forgeDoc as ForgeNode;
        return undefined;
      case 'invoke': {
        await this.gate;
        const user = this.sandbox.jira.user(this.context.user)!;
        const result = await this.sandbox.invokeResolver({
          moduleKey: this.context.moduleKey,
          functionKey: data.functionKey,
          payload: data.payload,
          accountId: user.accountId,
          issueKey: this.context.issueKey,
          projectKey: this.context.projectKey,
        });
        this.invokes.push({ functionKey: data.functionKey, payload: data.payload, result });
        if ('error' in result) throw new Error(result.error.message);
        return result.body;
      }
      case 'getContext': {
        const license = licenceDetails(this.sandbox.runtime.licence);
        return {
          accountId: this.sandbox.jira.user(this.context.user)?.accountId,
          moduleKey: this.context.moduleKey,
          locale: this.context.locale ?? 'en-US',
          extension: this.context.extension ?? {},
          ...(license ? { license } : {}),
        };
      }
      case 'submit':
        // `view.submit`: what an Automation action's form hands to the rule editor.
        this.submitted.push(data);
        return true;
      case 'subscribeRealtimeChannel': {
        const stop = this.sandbox.runtime.subscribeRealtime(data.channelName, data.options?.token, (payload) => data.onEvent(payload));
        if (typeof stop !== 'function') throw new Error(stop.error);
        this.unsubscribers.push(stop);
        return { unsubscribe: async () => stop() };
      }
      case '__permission__egressSet': {
        this.egressRequests.push(data);
        if (!this.approveEgress) throw new Error('The administrator declined the egress request');
        const result = this.sandbox.runtime.setEgress(data, this.isAdmin());
        if (result.status >= 300) throw new Error(result.message);
        return { results: result.results };
      }
      case '__permission__egressGet':
        return this.sandbox.runtime.getEgress(data?.keys);
      case '__permission__egressDeleteGroup': {
        const result = this.sandbox.runtime.deleteEgressGroup(data.key, this.isAdmin());
        if (result.status >= 300) throw new Error(result.message);
        return undefined;
      }
      case 'onError':
        throw data.error;
      default:
        return undefined;
    }
  }

  private isAdmin(): boolean {
    return Boolean(this.sandbox.jira.user(this.context.user)?.globalPermissions.includes('ADMINISTER'));
  }

  all(predicate: (node: ForgeNode) => boolean, node = this.root): ForgeNode[] {
    if (!node) return [];
    return [...(predicate(node) ? [node] : []), ...node.children.flatMap((child) => this.all(predicate, child))];
  }

  /** Every text on the screen, including text inside AdfRenderer documents. */
  text(node = this.root): string {
    if (!node) return '';
    if (node.type === 'String') return String(node.props.text);
    const own = node.type === 'AdfRenderer' ? adfText(node.props.document) : typeof node.props.title === 'string' ? node.props.title : '';
    return [own, ...node.children.map((child) => this.text(child))].filter(Boolean).join(' ');
  }

  byType(type: string): ForgeNode[] {
    return this.all((node) => node.type === type);
  }

  button(label: string): ForgeNode | undefined {
    return this.byType('Button').find((node) => this.text(node).trim() === label);
  }

  async click(label: string): Promise<void> {
    const button = this.button(label);
    if (!button) throw new Error(`no button "${label}" on screen: ${this.text()}`);
    await button.props.onClick?.();
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; screen: ${this.text().slice(0, 600)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  waitForText(text: string | RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => (typeof text === 'string' ? this.text().includes(text) : text.test(this.text())), `text ${String(text)}`, timeoutMs);
  }
}

function adfText(node: any): string {
  if (!node || typeof node !== 'object') return '';
  if (node.type === 'text') return String(node.text ?? '');
  return (Array.isArray(node.content) ? node.content : []).map(adfText).join(' ');
}
