import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSignatureBase } from './base.js';
import { MissingComponentError } from './components.js';
import { rfcExampleBase, rfcRequest, rfcVectors } from './fixtures/rfc9421.js';
import { parseSignatureInput } from './params.js';

describe('buildSignatureBase', () => {
  it.each(rfcVectors.map((v) => [v.id, v.source, v] as const))(
    'should rebuild the signature base of %s (%s) byte for byte',
    (_id, _source, vector) => {
      const parsed = parseSignatureInput(vector.signatureInput);
      const member = parsed.ok ? parsed.value.get(vector.label) : undefined;
      if (!member?.ok) throw new Error(`the ${vector.id} signature-input does not parse`);
      const { components, signatureParams } = member.value;
      expect(buildSignatureBase(vector.message, components, signatureParams)).toBe(
        vector.signatureBase,
      );
    },
  );

  it('should rebuild the example base of draft-15 §2.5 from text identifiers', () => {
    expect(
      buildSignatureBase(rfcRequest, rfcExampleBase.components, rfcExampleBase.signatureParams),
    ).toBe(rfcExampleBase.signatureBase);
  });

  it('should write the Upvest v6 base with unquoted names, the params value unchanged', () => {
    expect(
      buildSignatureBase(
        rfcRequest,
        ['@method', '@path', 'content-digest', '@query-param;name="Pet"'],
        '("@method" "@path" "content-digest" "@query-param";name="Pet");created=1;keyid="k"',
        'upvest-v6',
      ),
    ).toBe(
      [
        '@method: POST',
        '@path: /foo',
        `content-digest: ${rfcRequest.headers['content-digest']}`,
        '@query-param;name="Pet": dog',
        '@signature-params: ("@method" "@path" "content-digest" "@query-param";name="Pet");created=1;keyid="k"',
      ].join('\n'),
    );
  });

  it('should write the @signature-params line alone for no components', () => {
    expect(buildSignatureBase(rfcRequest, [], '();created=1')).toBe(
      '"@signature-params": ();created=1',
    );
  });

  it('should throw MissingComponentError for a component the message lacks', () => {
    expect(() => buildSignatureBase(rfcRequest, ['authorization'], '()')).toThrow(
      MissingComponentError,
    );
  });

  it('should give exactly one line per component whatever the header values hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }),
        (values) => {
          const headers = Object.fromEntries(values.map((value, i) => [`h${i}`, value]));
          const names = values.map((_, i) => `h${i}`);
          const base = buildSignatureBase({ headers }, names, '()');
          expect(base.split('\n')).toHaveLength(values.length + 1);
        },
      ),
    );
  });
});
