import { issueKeysIn, readSuggestions, sectionsByHeading, suggestionsIn, withoutSuggestionsBlock } from './analysis';

const p = (text: string) => ({ type: 'paragraph', content: [{ type: 'text', text }] });
const h = (text: string, level = 2) => ({ type: 'heading', attrs: { level }, content: [{ type: 'text', text }] });
const doc = (...content: unknown[]) => ({ type: 'doc' as const, version: 1 as const, content: content as never[] });

describe('the analysis, read for what it holds', () => {
  it('splits at headings, Summary first; fewer than two headings is no structure', () => {
    const sections = sectionsByHeading(doc(p('Intro'), h('Root Cause'), p('The cache.'), h('Summary'), p('Checkout fails.')), 'Analysis');
    expect(sections?.map((s) => s.title)).toEqual(['Summary', 'Analysis', 'Root Cause']);
    expect(sections?.[0].document.content).toEqual([p('Checkout fails.')]);
    expect(sectionsByHeading(doc(h('Only one'), p('text')), 'Analysis')).toBeUndefined();
    // Headings scaled down for the panel split the same; a sub-heading stays inside its section.
    const scaled = sectionsByHeading(doc(h('Summary', 4), p('Fails.'), h('Root Cause', 4), h('In detail', 5), p('The cache.')), 'Analysis');
    expect(scaled?.map((s) => s.title)).toEqual(['Summary', 'Root Cause']);
    expect(scaled?.[1].document.content).toEqual([h('In detail', 5), p('The cache.')]);
  });

  it('finds issue keys the analysis names, once each, not the issue itself', () => {
    expect(issueKeysIn('See DEMO-12 and SUP-3; DEMO-12 again, also DEMO-1 and http://x/DEMO-0.', 'DEMO-1')).toEqual(['DEMO-12', 'SUP-3']);
  });

  it('reads the suggestions block from a comment posted as text, as ADF, or from Markdown; a broken block is no suggestions', () => {
    const json = '{"labels": ["checkout", "login page"], "priority": "High", "confidence": 0.9, "extra": 1}';
    const asText = doc(p('## Summary'), { type: 'paragraph', content: [{ type: 'text', text: '```ticket-enhancer' }, { type: 'hardBreak' }, { type: 'text', text: json }, { type: 'hardBreak' }, { type: 'text', text: '```' }] });
    expect(suggestionsIn(asText)).toEqual({ labels: ['checkout', 'login-page'], priority: 'High', confidence: 0.9 });
    const asAdf = doc({ type: 'codeBlock', attrs: { language: 'ticket-enhancer' }, content: [{ type: 'text', text: json }] });
    expect(suggestionsIn(asAdf)?.priority).toBe('High');
    expect(suggestionsIn(`## Summary\n\n\`\`\`ticket-enhancer\n${json}\n\`\`\``)?.labels).toEqual(['checkout', 'login-page']);
    expect(suggestionsIn('```ticket-enhancer\n{not json\n```')).toBeUndefined();
    expect(suggestionsIn(doc(p('No block here.')))).toBeUndefined();
    // The block is for the app: readers see the analysis without it.
    expect(withoutSuggestionsBlock(asText).content).toEqual([p('## Summary')]);
    expect(withoutSuggestionsBlock(asAdf).content).toEqual([]);
  });

  it('keeps only well-formed values, capped', () => {
    expect(readSuggestions({ labels: 'checkout', priority: 3, components: ['Checkout', '', 7], confidence: 1.5 })).toEqual({ components: ['Checkout'] });
    expect(readSuggestions({ labels: Array.from({ length: 40 }, (_, i) => `l${i}`) })?.labels).toHaveLength(20);
    expect(readSuggestions(['not', 'an', 'object'])).toBeUndefined();
  });
});
