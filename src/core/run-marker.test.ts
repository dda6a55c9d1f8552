import { markerInstruction, markerNames, markersIn, withoutMarker } from './run-marker';

describe('the run marker', () => {
  const run = { deliveryId: 'dlv_10001_created-1_0a1b2c3d4e5f60718293', markerTimestamp: '2026-11-28T10:15:00.000Z' };

  it('gives the line to add, with the placeholder the payload fills', () => {
    expect(markerInstruction(false)).toBe('End your comment with the line `Ticket Enhancer run {delivery_id}`');
    expect(markerInstruction(true)).toBe('End your comment with the line `Ticket Enhancer run {timestamp}`');
  });

  it.each([
    ['Ticket Enhancer run dlv_10001_created-1_0a1b2c3d4e5f60718293', true],
    ['**Ticket Enhancer run dlv_10001_created-1_0a1b2c3d4e5f60718293**', true],
    ['Ticket Enhancer run: `dlv_10001_created-1_0a1b2c3d4e5f60718293`.', true],
    ['ticket enhancer run dlv_10001_created-1_0a1b2c3d4e5f60718293', true],
    ['Ticket Enhancer run 2026-11-28T10:15:00.000Z', true],
    ['Ticket Enhancer run 2026-11-28T10:15:00Z', true],
    ['Ticket Enhancer run dlv_10001_created-1_0a1b2c3d4e5f6071829', false],
    ['Ticket Enhancer run {delivery_id}', false],
    ['Ticket Enhancer run dlv_10001_created-1_0a1b2c3d4e5f60718293X', false],
    ['The analysis, with no marker at all.', false],
  ])('reads %j as naming the run: %s', (text, names) => {
    expect(markerNames(markersIn(text), run)).toBe(names);
  });

  it('takes the marker out of what readers see, from an ADF comment and from text', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'The cart crashes on Pay.' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Last line' }, { type: 'hardBreak' }, { type: 'text', text: 'Ticket Enhancer run dlv_1_x_abc' }] },
        { type: 'paragraph', content: [{ type: 'text', text: '*Ticket Enhancer run dlv_1_x_abc*', marks: [{ type: 'em' }] }] },
      ],
    };
    expect(withoutMarker(doc)).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'The cart crashes on Pay.' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Last line' }] },
      ],
    });
    expect(withoutMarker('## Summary\nThe cart.\n\nTicket Enhancer run dlv_1_x_abc\n')).toBe('## Summary\nThe cart.');
    // A sentence that mentions the phrase is the analysis, not a marker line.
    expect(withoutMarker('We saw Ticket Enhancer run dlv_1 fail twice last week.')).toBe('We saw Ticket Enhancer run dlv_1 fail twice last week.');
  });
});
