import fc from 'fast-check';
import { adfToPlainText } from './adf-text';

/**
 * Descriptions are written by reporters: whatever ADF (or not-ADF) arrives, conversion gives a
 * string and never throws, so a hostile ticket can neither stop its own delivery nor look like an
 * AI Ops outage.
 */

const NODE_TYPES = ['doc', 'paragraph', 'text', 'heading', 'bulletList', 'orderedList', 'listItem', 'taskList', 'taskItem', 'codeBlock', 'blockquote', 'rule', 'table', 'tableRow', 'tableCell', 'panel', 'expand', 'mention', 'emoji', 'date', 'status', 'inlineCard', 'hardBreak', 'media', 'mediaSingle', 'placeholder', 'unknownThing'];

/** Any JSON value: what a hostile document may put where the converter expects a field. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

const hostileNode: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { weight: 1, arbitrary: anyJson },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          type: fc.oneof(fc.constantFrom(...NODE_TYPES), anyJson),
          text: fc.oneof(fc.string(), anyJson),
          attrs: fc.oneof(
            fc.record({ timestamp: fc.oneof(fc.double(), fc.string(), fc.constant('31536000000000000'), fc.constant(-8.7e15)), order: anyJson, state: anyJson, text: anyJson, url: anyJson, language: anyJson, title: anyJson }, { requiredKeys: [] }),
            anyJson,
          ),
          marks: fc.oneof(fc.array(fc.oneof(fc.record({ type: fc.constantFrom('link', 'code', 'strong'), attrs: fc.oneof(fc.record({ href: anyJson }), anyJson) }), anyJson), { maxLength: 3 }), anyJson),
          content: fc.oneof(fc.array(tie('node'), { maxLength: 4 }), anyJson),
        },
        { requiredKeys: [] },
      ),
    },
  ),
})).node;

describe('ADF to text never throws', () => {
  it('renders a date whose timestamp is out of range as nothing (the ticket is still sent)', () => {
    const doc = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Due ' }, { type: 'date', attrs: { timestamp: '31536000000000000' } }] }] };
    expect(adfToPlainText(doc)).toBe('Due');
  });

  it('survives marks, texts and attributes of the wrong type', () => {
    const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 42, marks: [null, 'link', { type: 'link', attrs: 'x' }] }, { type: 'text', text: 'ok', marks: 'bold' }] }] };
    expect(adfToPlainText(doc)).toBe('ok');
  });

  it('survives nesting deep enough to exhaust the stack, keeping the text it can reach', () => {
    let node: Record<string, unknown> = { type: 'text', text: 'deep' };
    for (let i = 0; i < 100_000; i += 1) node = { type: 'blockquote', content: [node] };
    expect(() => adfToPlainText({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'top' }] }, node] })).not.toThrow();
    expect(adfToPlainText({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'top' }] }, node] })).toContain('top');
  });

  it('gives a string for random and hostile documents (fuzzed)', () => {
    fc.assert(
      fc.property(hostileNode, (doc) => {
        const text = adfToPlainText(doc);
        return typeof text === 'string';
      }),
      { numRuns: 3000, seed: 20261205 },
    );
  });

  it('gives a string for random documents wrapped as Jira sends them (fuzzed)', () => {
    fc.assert(
      fc.property(fc.array(hostileNode, { maxLength: 6 }), (content) => typeof adfToPlainText({ type: 'doc', version: 1, content }) === 'string'),
      { numRuns: 2000, seed: 7 },
    );
  });
});
