import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDelivery } from './parse.js';
import { attachRawText, payloadSpans, rawEventText } from './raw-events.js';
import { createDeliveryEvent } from '../testing/deliveries.js';

const cut = (text: string) => payloadSpans(text)?.map(([start, end]) => text.slice(start, end));

describe('payloadSpans', () => {
  it.each([
    ['a compact body', '{"payload":[{"a":1},{"b":[2,"]"]}]}', ['{"a":1}', '{"b":[2,"]"]}']],
    [
      'white space everywhere',
      ' {\n "payload" : [ {"a":1} ,\n\t{"b":2} ] } ',
      ['{"a":1}', '{"b":2}'],
    ],
    ['strings that hold brackets and quotes', '{"payload":[{"s":"}\\"{["}]}', ['{"s":"}\\"{["}']],
    ['other members around it', '{"x":{"payload":[1]},"payload":[{"a":1}],"y":[]}', ['{"a":1}']],
    [
      'a repeated key, the last counting as in JSON.parse',
      '{"payload":[1],"payload":[{"a":2}]}',
      ['{"a":2}'],
    ],
    ['an escaped key', '{"pay\\u006coad":[{"a":1}]}', ['{"a":1}']],
    [
      'scalars and nesting',
      '{"payload":[true, -1.5e3 ,null,[[[]]],"x"]}',
      ['true', '-1.5e3', 'null', '[[[]]]', '"x"'],
    ],
    ['an empty payload', '{"payload":[ ]}', []],
  ])('should cut the elements out of %s', (_name, text, elements) => {
    expect(cut(text)).toEqual(elements);
  });

  it.each([
    ['no payload', '{"other":[]}'],
    ['a payload that is no array', '{"payload":{}}'],
    ['no object', '[1]'],
  ])('should find nothing in %s', (_name, text) => {
    expect(payloadSpans(text)).toBeUndefined();
  });

  it('should cut out text that parses to each element, for any JSON with any white space', () => {
    const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), space, space, (elements, before, after) => {
        const body = `{${before}"payload"${after}:[${elements.map((e) => `${before}${JSON.stringify(e, null, after.length)}${after}`).join(',')}]}`;
        const cuts = cut(body) ?? [];
        const parsed = JSON.parse(body) as { payload: unknown[] };
        expect(cuts.map((text) => JSON.parse(text) as unknown)).toEqual(parsed.payload);
      }),
    );
  });

  it('should not recurse: 100,000 levels deep is no problem', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(cut(`{"payload":[${deep}]}`)).toEqual([deep]);
  });
});

describe('rawEventText', () => {
  it('should give each parsed event its text as delivered, whatever order parsing sorted them in', () => {
    const late = createDeliveryEvent({ created_at: '2021-11-19T13:06:58Z' });
    const early = createDeliveryEvent({ created_at: '2021-11-19T13:06:57Z' });
    const texts = [JSON.stringify(late, null, 1), JSON.stringify(early)];
    const parsed = parseDelivery(`{"payload": [${texts.join(' , ')}]}`);

    expect(parsed.ok && parsed.events.map((event) => rawEventText(event))).toEqual([
      texts[1],
      texts[0],
    ]);
  });

  it('should keep digits a double cannot, and escapes as sent', () => {
    const text = `{"id":"00000000-0000-4000-8000-000000000001","created_at":"2021-11-19T13:06:57Z","type":"USER.CREATED","object":{"n":12345678901234567890123,"s":"\\u00e9"},"webhook_id":"00000000-0000-4000-8000-000000000002"}`;
    const parsed = parseDelivery(`{"payload":[${text}]}`);

    expect(parsed.ok && rawEventText(parsed.events[0]!)).toBe(text);
  });

  it('should be invisible to JSON, spreads and equality', () => {
    const parsed = parseDelivery(JSON.stringify({ payload: [createDeliveryEvent()] }));
    const [event] = parsed.ok ? parsed.events : [];

    expect(Object.keys(event!)).not.toContain('raw');
    expect(rawEventText({ ...event! })).toBeUndefined();
    expect(JSON.stringify(event)).not.toMatch(/raw/);
  });

  it('should give back the text a store attached, and nothing for a plain object', () => {
    expect(rawEventText(attachRawText({}, '{"a":1}'))).toBe('{"a":1}');
    expect(rawEventText({})).toBeUndefined();
  });
});
