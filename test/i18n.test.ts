/**
 * Languages: every text of the screens goes through Forge's translations (src/locales, declared in
 * manifest.yml); English, German and Japanese are complete; a hard-coded text in src/ui fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { Harness } from './support/harness';
import { UiHost } from './support/ui-host';

const ROOT = join(__dirname, '..');
const UI = join(ROOT, 'src', 'ui');
const locale = (name: string) => JSON.parse(readFileSync(join(ROOT, 'src', 'locales', `${name}.json`), 'utf8')) as Record<string, unknown>;

function flatten(node: unknown, prefix = ''): Record<string, string> {
  if (typeof node === 'string') return { [prefix]: node };
  return Object.entries(node as Record<string, unknown>).reduce((all, [key, value]) => ({ ...all, ...flatten(value, prefix ? `${prefix}.${key}` : key) }), {});
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Attributes whose value a user reads (or a screen reader speaks). */
const VISIBLE_ATTRIBUTES = new Set(['label', 'title', 'placeholder', 'help', 'description', 'content', 'text', 'aria-label', 'ariaLabel', 'alt', 'header']);

/** Texts a user would read that do not come from `t(...)`: file, line and the text. */
export function hardCodedTexts(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lines = source.split('\n');
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line;
    if (lines[line]?.includes('// i18n-ignore')) return;
    found.push(`${fileName}:${line + 1} ${JSON.stringify(text.trim().slice(0, 60))}`);
  };
  const isTranslationKey = (node: ts.Node) => {
    const call = node.parent;
    return ts.isCallExpression(call) && call.arguments[0] === node && ts.isIdentifier(call.expression) && call.expression.text === 't';
  };
  const literalText = (node: ts.Node): string | undefined => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
    return undefined;
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isJsxText(node) && /[A-Za-z\u3040-\u30ff\u4e00-\u9fff]/.test(node.text)) report(node, node.text);
    const text = literalText(node);
    if (text !== undefined && !isTranslationKey(node)) {
      const attribute = ts.isJsxAttribute(node.parent) ? node.parent : ts.isJsxExpression(node.parent) && ts.isJsxAttribute(node.parent.parent) ? node.parent.parent : undefined;
      const attributeName = attribute ? attribute.name.getText(file) : undefined;
      const property = ts.isPropertyAssignment(node.parent) ? node.parent.name.getText(file) : undefined;
      const visibleSlot = (attributeName && VISIBLE_ATTRIBUTES.has(attributeName)) || (property && VISIBLE_ATTRIBUTES.has(property));
      const jsxChild = ts.isJsxExpression(node.parent) && !attribute;
      if ((visibleSlot || jsxChild) && /[A-Za-z]{2,}/.test(text)) report(node, text);
      else if (/[A-Za-z]{2,}[^\S\n]+[A-Za-z]{2,}/.test(text)) report(node, text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the locale files', () => {
  const en = flatten(locale('en-US'));
  const manifest = parseYaml(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'));

  it('are the ones the manifest declares, with English as the fallback', () => {
    expect(manifest.translations.resources.map((r: { key: string }) => r.key)).toEqual(['en-US', 'de-DE', 'ja-JP']);
    expect(manifest.translations.fallback.default).toBe('en-US');
    expect(manifest.modules['jira:issuePanel'][0].title).toEqual({ i18n: 'module.panelTitle' });
  });

  for (const name of ['de-DE', 'ja-JP']) {
    it(`${name} translates every English text, with the same placeholders`, () => {
      const other = flatten(locale(name));
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        expect({ key, placeholders: placeholders(other[key]) }).toEqual({ key, placeholders: placeholders(text) });
        expect(other[key].trim()).not.toBe('');
      }
      // Translated, not copied (the product's own names excepted).
      const same = Object.keys(en).filter((key) => !key.startsWith('module.') && other[key] === en[key] && /[a-z]{3,}\s+[a-z]{3,}/i.test(en[key]));
      expect(same).toEqual([]);
    });
  }

  it('hold every key the screens and the backend ask for', () => {
    const sources = ['ui', 'core', 'handlers', 'forge'].flatMap((dir) => readdirSync(join(ROOT, 'src', dir)).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts')).map((f) => join(ROOT, 'src', dir, f)));
    const namespaces = new Set(Object.keys(en).map((key) => key.split('.')[0]));
    const missing: string[] = [];
    for (const path of sources) {
      const text = readFileSync(path, 'utf8');
      const where = path.slice(ROOT.length + 1);
      // Every literal shaped like a key of one of the locale's namespaces ('check.match.title').
      for (const match of text.matchAll(/['`]([a-z][A-Za-z]*(?:\.[A-Za-z0-9]+)+)['`]/g)) {
        if (namespaces.has(match[1].split('.')[0]) && !(match[1] in en)) missing.push(`${where}: ${match[1]}`);
      }
      // Keys built at run time (`check.${name}.title`, `validation.atLeast${unit}`): their stem must exist.
      for (const match of text.matchAll(/`([a-z][A-Za-z]*(?:\.[A-Za-z0-9]+)*\.?[A-Za-z0-9]*)\$\{/g)) {
        if (namespaces.has(match[1].split('.')[0]) && !Object.keys(en).some((key) => key.startsWith(match[1]))) missing.push(`${where}: ${match[1]}*`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('hard-coded texts in src/ui', () => {
  it('finds none', () => {
    const found = readdirSync(UI)
      .filter((f) => /\.tsx?$/.test(f))
      .flatMap((f) => hardCodedTexts(f, readFileSync(join(UI, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('would find one: a label, a child text, a sentence in a message', () => {
    const sample = [
      "import { Button, Text } from '@forge/react';",
      'export const A = () => <Button>Save it</Button>;',
      "export const B = () => <Text label=\"Issue types\">{'Loading the panel'}</Text>;",
      "export const C = (t: (k: string) => string) => ({ title: 'Saved', lines: ['The settings are saved.', t('admin.saved')] });",
      "export const D = 'save-connection';",
    ].join('\n');
    expect(hardCodedTexts('sample.tsx', sample)).toEqual(['sample.tsx:2 "Save it"', 'sample.tsx:3 "Issue types"', 'sample.tsx:3 "Loading the panel"', 'sample.tsx:4 "Saved"', 'sample.tsx:4 "The settings are saved."']);
  });
});

describe('the screens in the reader\'s language', () => {
  let h: Harness;
  let host: UiHost | undefined;
  beforeEach(async () => {
    h = await new Harness().start();
  });
  afterEach(async () => {
    host?.unmount();
    host = undefined;
    await h.stop();
  });

  it('shows the panel in German, the status words from the resolver included', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    host = new UiHost(h.sandbox, { moduleKey: 'ticket-enhancer-panel', user: 'agent', issueKey: key, locale: 'de-DE' }).mount(join(UI, 'panel.tsx'));
    await host.waitForText('Abgeschlossen');
    expect(host.text()).toContain('Erneut ausführen');
    expect(host.text()).toContain('Als Kommentar von AI Ops Bot gepostet');
    expect(host.text()).not.toContain('Run again');
  });

  it('words the backend\'s text in German from the locale the screen sends, with none in the resolver\'s context', async () => {
    h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid HMAC signature' } });
    const { key } = await h.createIssue();
    await h.settle();
    host = new UiHost(h.sandbox, { moduleKey: 'ticket-enhancer-panel', user: 'agent', issueKey: key, locale: 'de-DE' }).mount(join(UI, 'panel.tsx'));
    await host.waitForText('Fehlgeschlagen');
    // The failure text comes from the resolver: German because the screen's call carried de-DE.
    expect(host.text()).toContain('Die AI-Ops-Verbindung braucht Aufmerksamkeit.');
    expect(host.invokes.every((call) => (call.payload as { locale?: string }).locale === 'de-DE')).toBe(true);
  });

  it('shows the project page in Japanese', async () => {
    host = new UiHost(h.sandbox, { moduleKey: 'ticket-enhancer-project', user: 'lead', projectKey: 'DEMO', locale: 'ja-JP' }).mount(join(UI, 'project-settings.tsx'));
    await host.waitForText('対象の課題');
    expect(host.text()).toContain('既存のチケットを強化');
    expect(host.button('保存')).toBeDefined();
  });

  it('falls back to English for a locale the app does not ship', async () => {
    host = new UiHost(h.sandbox, { moduleKey: 'ticket-enhancer-admin', user: 'admin', locale: 'fr-FR' }).mount(join(UI, 'admin.tsx'));
    await host.waitForText('1. Connect to AI Ops');
  });
});

describe('the bundled translations', () => {
  it('are served from a folder of their own that goes when the sandbox stops, leaving no temporary folder behind', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const h = await new Harness().start();
    const root = h.sandbox.locales!.root;
    expect(readFileSync(join(root, '__LOCALES__', 'de-DE.json'), 'utf8')).toContain('Erneut ausführen');
    await h.stop();
    expect(existsSync(root)).toBe(false);
    // The Forge CLI's bundler names its folder tmp-<pid>-…; other test workers make their own.
    expect(readdirSync(tmpdir()).filter((name) => !before.has(name) && name.startsWith(`tmp-${process.pid}-`))).toEqual([]);
  });
});

describe('what the backend says, in the reader\'s language', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness().start();
  });
  afterEach(() => h.stop());

  const invoke = async (moduleKey: string, functionKey: string, accountId: string, locale: string, payload: unknown = {}) => {
    const answer = (await h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, locale, ...(moduleKey === 'ticket-enhancer-project' ? { projectKey: 'DEMO' } : {}) })) as { body: any };
    return answer.body;
  };

  it('names bad settings in German, field names included', async () => {
    const body = await invoke('ticket-enhancer-admin', 'save', 'admin', 'de-DE', {
      settings: { aiopsBaseUrl: 'https://10.0.0.5', agentId: 'not-a-uuid', tenantId: 'acme', attemptLimit: 0, retentionDays: 3000000 },
      secret: 'c2hvcnQ=',
    });
    const byField = Object.fromEntries(body.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(byField).toEqual({
      aiopsBaseUrl: 'AI-Ops-Basis-URL zeigt auf eine private Adresse, keinen öffentlichen Host',
      agentId: 'Die Agenten-ID muss eine UUID sein, etwa 3f1c2a4e-8b7d-4c21-9e0f-5a6b7c8d9e0f',
      attemptLimit: 'Versuchslimit muss mindestens 1 sein',
      retentionDays: 'Aufbewahrung darf höchstens 3650 Tage betragen',
      secret: 'Das HMAC-Secret ergibt 5 Schlüsselbytes; mindestens 16 sind nötig',
    });
  });

  it('reports the connection check in Japanese', async () => {
    const body = await invoke('ticket-enhancer-admin', 'checkConnection', 'admin', 'ja-JP');
    expect(body.ok).toBe(true);
    expect(body.steps.map((step: { title: string }) => step.title)).toEqual(['AI Ops が応答しています', 'エージェントとシークレットが一致しています']);
    expect(body.steps[1].detail).toContain('base64 キーエンコーディング');
  });

  it('names a bad bulk filter and an unknown test issue in German', async () => {
    const bulk = await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', 'de-DE', { kind: 'redeliver', filter: { since: 'gestern', httpStatus: '99', cap: '0' } });
    expect(bulk.errors).toEqual([{ field: 'cap', message: 'Die Obergrenze muss eine ganze Zahl von 1 bis 5000 sein' }]);
    const filter = await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', 'de-DE', { kind: 'redeliver', filter: { since: 'gestern', httpStatus: '99' } });
    expect(filter.errors).toEqual([
      { field: 'since', message: '„Von“ muss ein Datum mit Uhrzeit sein, etwa 2026-11-28 09:00' },
      { field: 'httpStatus', message: 'Der HTTP-Status muss eine Zahl von 100 bis 599 sein' },
    ]);
    const test = await invoke('ticket-enhancer-admin', 'sendTestIssue', 'admin', 'de-DE', { issueKey: 'NOPE-404' });
    expect(test).toEqual({ started: false, reason: 'Es gibt keinen Vorgang NOPE-404, den Sie sehen können.' });
  });

  it('words a Run again the app cannot start, and a test issue it cannot send, for the reader', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    // No secret is set any more: the run is refused, its stored reason stays English.
    await h.updateSettings('settings:global', { secret: undefined });
    const panel = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'runAgain', accountId: 'agent', issueKey: key, locale: 'de-DE' })) as { body: any };
    expect(panel.body).toEqual({ started: false, reason: 'es ist kein HMAC-Secret hinterlegt: Ein Jira-Administrator muss es auf der Administrationsseite der App festlegen' });
    const test = await invoke('ticket-enhancer-admin', 'sendTestIssue', 'admin', 'ja-JP', { issueKey: key });
    expect(test).toEqual({ started: false, reason: 'HMAC シークレットが設定されていません。Jira 管理者がアプリの管理ページで設定する必要があります。' });
    expect(h.runs().filter((run) => run.status === 'failed').map((run) => run.reason)).toEqual([
      "no HMAC secret is configured: a Jira admin must set it on the app's admin page",
      "no HMAC secret is configured: a Jira admin must set it on the app's admin page",
    ]);
  });

  it('words a run\'s stored reason for each reader, and keeps it English where it is stored', async () => {
    h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid signature' } });
    const { key } = await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.reason).toBe("401 from AI Ops: the HMAC secret does not match the agent's secret (check the secret and its key encoding): Invalid signature");
    const admin = await invoke('ticket-enhancer-admin', 'load', 'admin', 'de-DE');
    expect(admin.deliveries[0].reason).toBe('401 von AI Ops: Das HMAC-Secret passt nicht zum Secret des Agenten (prüfen Sie das Secret und seine Schlüsselkodierung): Invalid signature.');
    const panel = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId: 'admin', issueKey: key, locale: 'ja-JP' })) as { body: any };
    expect(panel.body.failure.text).toBe('AI Ops から 401: HMAC シークレットがエージェントのシークレットと一致しません (シークレットとそのキーエンコーディングを確認してください): Invalid signature.');
  });

  it('says the same in English when the reader\'s language is English', async () => {
    const body = await invoke('ticket-enhancer-admin', 'save', 'admin', 'en-US', { settings: { aiopsBaseUrl: 'https://10.0.0.5', agentId: 'not-a-uuid', tenantId: 'acme' } });
    expect(body.errors).toContainEqual({ field: 'aiopsBaseUrl', message: 'AI Ops base URL points to a private address, not a public host' });
  });
});
