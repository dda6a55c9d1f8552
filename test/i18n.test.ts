/**
 * Languages: every text of the screens goes through Forge's translations (src/locales, declared in
 * manifest.yml); English, German and Japanese are complete; a hard-coded text in src/ui fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

  it('hold every key the screens and the panel view ask for', () => {
    const sources = [...readdirSync(UI).map((f) => join(UI, f)), join(ROOT, 'src', 'core', 'panel-view.ts')];
    const missing: string[] = [];
    for (const path of sources) {
      const text = readFileSync(path, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([^'$]+)'/g)) if (!(match[1] in en)) missing.push(`${path.slice(ROOT.length + 1)}: ${match[1]}`);
      // Keys built at run time: their stem must exist.
      for (const match of text.matchAll(/\bt\(\s*`([a-z.]+)\.\$\{/gi)) if (!Object.keys(en).some((key) => key.startsWith(`${match[1]}.`))) missing.push(`${path}: ${match[1]}.*`);
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
