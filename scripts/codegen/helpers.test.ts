import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { dateTimeFormat } from './date-time-format.js';
import { ucs2length } from './ucs2length.js';
import { uriFormat } from './uri-format.js';

// The helpers as modules; scripts/generated.test.ts checks the copies inside the generated
// validators against ajv-formats with many more inputs.
const ajvUri = fullFormats.uri as (value: string) => boolean;
const ajvDateTime = (fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;

describe('the helpers copied into the generated validators', () => {
  it('should judge URIs as ajv-formats does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.string()), (value) => {
        expect(uriFormat(value)).toBe(ajvUri(value));
      }),
    );
  });

  it.each([
    ['2021-11-19T13:06:57.123456789Z', true],
    ['2024-02-29T23:59:60Z', true],
    ['2023-02-29T10:00:00Z', false],
    ['2021-11-19T13:06:57', false],
    ['2021-11-19 13:06:57+01:00', true],
  ])('should judge the date-time %s as %s, as ajv-formats does', (value, valid) => {
    expect(dateTimeFormat.validate(value)).toBe(valid);
    expect(ajvDateTime(value)).toBe(valid);
  });

  it('should count code points, a surrogate pair as one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(ucs2length(value)).toBe([...value].length);
      }),
    );
    expect(ucs2length('\ud800')).toBe(1);
  });
});
