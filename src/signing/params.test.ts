import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rfcVectors } from './fixtures/rfc9421.js';
import {
  createSignatureInput,
  parseSignatureField,
  parseSignatureInput,
  parseSignatureParams,
  serializeSignatureFields,
  serializeSignatureParams,
  type SignatureParameters,
} from './params.js';

describe('serializeSignatureParams', () => {
  it('should write the inner list and the parameters in the order given', () => {
    expect(
      serializeSignatureParams(['@method', '@path'], {
        keyid: '8d4997a8-cf7a-4e51-adbb-401656a3e5c2',
        created: 1633529659,
        expires: 1633529664,
        nonce: 'o085M4cMgpbicuOL',
      }),
    ).toBe(
      '("@method" "@path");keyid="8d4997a8-cf7a-4e51-adbb-401656a3e5c2";created=1633529659;expires=1633529664;nonce="o085M4cMgpbicuOL"',
    );
    expect(serializeSignatureParams([], { created: 1, alg: 'ed25519', tag: 't' })).toBe(
      '();created=1;alg="ed25519";tag="t"',
    );
  });

  it('should write parameterized components in their structured form', () => {
    expect(serializeSignatureParams(['@query-param;name="Pet"', 'x;req'], {})).toBe(
      '("@query-param";name="Pet" "x";req)',
    );
  });

  it.each<[string, readonly string[], SignatureParameters, RegExp]>([
    ['a component listed twice', ['@method', '@METHOD'], {}, /covered twice/],
    ['@signature-params as a component', ['@signature-params'], {}, /cannot be a covered/],
    ['a decimal created', ['@method'], { created: 1.5 }, /integer/],
    ['a key id with a line break', ['@method'], { keyid: 'a\nb' }, /not a valid/],
  ])('should refuse %s', (_name, components, params, message) => {
    expect(() => serializeSignatureParams(components, params)).toThrow(message);
  });
});

describe('parseSignatureInput', () => {
  it.each(rfcVectors.map((v) => [v.id, v] as const))(
    'should read the members of the %s signature-input and serialize them back unchanged',
    (_id, vector) => {
      const parsed = parseSignatureInput(vector.signatureInput);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const member = parsed.value.get(vector.label);
      expect(member?.ok).toBe(true);
      if (!member?.ok) return;
      expect(`${vector.label}=${member.value.signatureParams}`).toBe(
        vector.signatureInput.split(', ').find((m) => m.startsWith(`${vector.label}=`)),
      );
      expect(member.value.params.created).toBeTypeOf('number');
      expect(member.value.params.keyid).toBeTypeOf('string');
    },
  );

  it('should give the known parameters typed and keep unknown ones for the base', () => {
    const input = parseSignatureParams(
      '("@method" "@query-param";name="a");created=1;keyid="k";nonce="n";alg="ed25519";tag="t";expires=2;x=?1',
    );
    expect(input.components).toEqual(['@method', '@query-param;name="a"']);
    expect(input.params).toEqual({
      created: 1,
      keyid: 'k',
      nonce: 'n',
      alg: 'ed25519',
      tag: 't',
      expires: 2,
    });
    expect(input.parameters.get('x')).toBe(true);
  });

  it('should not mistake a decimal-looking text inside a quoted keyid for a decimal created', () => {
    const parsed = parseSignatureInput('sig1=();keyid="a;created=1.0";created=1700000000');
    expect(parsed.ok && parsed.value.get('sig1')).toMatchObject({
      ok: true,
      value: { params: { created: 1700000000, keyid: 'a;created=1.0' } },
    });
  });

  it('should refuse a field that is not a dictionary', () => {
    expect(parseSignatureInput('sig1=(')).toMatchObject({ ok: false });
  });

  it.each([
    ['a member that is not an inner list', 'sig1="@method"', /not an inner list/],
    ['a component that is not a string', 'sig1=(method)', /not a string/],
    ['a component listed twice', 'sig1=("@path" "@path")', /twice/],
    ['a created that is a decimal', 'sig1=();created=1.5', /must be integers/],
    ['a created that is a whole decimal', 'sig1=();created=1700000000.0', /must be integers/],
    ['an expires that is a whole decimal', 'sig1=();created=1;expires=2.0', /must be integers/],
    ['an expires that is a string', 'sig1=();expires="1"', /expires must be an integer/],
    ['a keyid that is a token', 'sig1=();keyid=k', /keyid must be a string/],
    ['a nonce that is an integer', 'sig1=();nonce=1', /nonce must be a string/],
    ['@signature-params as a component', 'sig1=("@signature-params")', /cannot be/],
  ])('should report %s on its member only', (_name, member, message) => {
    const parsed = parseSignatureInput(`${member}, other=("@method");created=1`);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.get('sig1')).toMatchObject({
      ok: false,
      message: expect.stringMatching(message) as unknown,
    });
    expect(parsed.value.get('other')).toMatchObject({ ok: true });
  });

  it('should round-trip whatever createSignatureInput builds', () => {
    const name = fc.stringMatching(/^@?[a-z][a-z0-9-]{0,12}$/);
    const text = fc.stringMatching(/^[ -~]{0,16}$/);
    const time = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { maxLength: 8 }).filter((c) => !c.includes('@signature-params')),
        fc.record(
          { created: time, expires: time, nonce: text, keyid: text, alg: text, tag: text },
          { requiredKeys: [] },
        ),
        (components, params) => {
          const built = createSignatureInput(components, params);
          const read = parseSignatureParams(built.signatureParams);
          expect(read.components).toEqual(components);
          expect(read.params).toEqual(params);
          expect(read.signatureParams).toBe(built.signatureParams);
        },
      ),
    );
  });
});

describe('parseSignatureField and serializeSignatureFields', () => {
  it('should write both fields under the label and read the bytes back', () => {
    const input = createSignatureInput(['@method'], { created: 1, keyid: 'k' });
    const fields = serializeSignatureFields('sig-1', input, new Uint8Array([0, 1, 254, 255]));
    expect(fields).toEqual({
      'signature-input': 'sig-1=("@method");created=1;keyid="k"',
      signature: 'sig-1=:AAH+/w==:',
    });
    const parsed = parseSignatureField(fields.signature);
    expect(parsed.ok && parsed.value.get('sig-1')).toEqual({
      ok: true,
      value: new Uint8Array([0, 1, 254, 255]),
    });
  });

  it('should refuse a label that is not a structured-field key', () => {
    const input = createSignatureInput(['@method'], {});
    expect(() => serializeSignatureFields('Sig 1', input, new Uint8Array(1))).toThrow(
      /not a signature label/,
    );
  });

  it('should report a member that is not a byte sequence, and a field that does not parse', () => {
    const parsed = parseSignatureField('sig1="abc", sig2=:AA==:');
    expect(parsed.ok && parsed.value.get('sig1')).toMatchObject({ ok: false });
    expect(parsed.ok && parsed.value.get('sig2')).toMatchObject({ ok: true });
    expect(parseSignatureField('sig1=:not base64')).toMatchObject({ ok: false });
  });
});
