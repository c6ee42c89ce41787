import { describe, expect, it } from 'vitest';
import { UpvestConfigurationError } from '../errors.js';
import {
  createSignatureInput,
  parseSignatureField,
  parseSignatureInput,
  parseSignatureParams,
  type SignatureParameters,
} from './params.js';

describe('createSignatureInput, the times it is given', () => {
  it.each<[string, SignatureParameters, string]>([
    [
      'a decimal created',
      { created: 1.5 },
      'the created parameter must be an integer (Unix seconds)',
    ],
    [
      'a decimal expires',
      { expires: 2.5 },
      'the expires parameter must be an integer (Unix seconds)',
    ],
    [
      'a created written as a string',
      { created: '1' as unknown as number },
      'the created parameter must be an integer (Unix seconds)',
    ],
    [
      'an expires past the safe integers',
      { expires: 2 ** 53 },
      'the expires parameter must be an integer (Unix seconds)',
    ],
  ])('should refuse %s, saying times are Unix seconds', (_name, params, message) => {
    expect(() => createSignatureInput(['@method'], params)).toThrow(UpvestConfigurationError);
    expect(() => createSignatureInput(['@method'], params)).toThrow(message);
  });

  it('should leave out a parameter given as undefined', () => {
    const params = { created: 1, keyid: undefined } as unknown as SignatureParameters;
    expect(createSignatureInput(['@method'], params).signatureParams).toBe('("@method");created=1');
  });
});

describe('parseSignatureInput, decimal times', () => {
  it.each<[string, string]>([
    ['after a space following the semicolon', 'sig1=();created=1; expires=2.0'],
    ['on a member after the first', 'sig0=("@method");created=1, sig1=();created=1700000000.0'],
  ])('should find a decimal time %s', (_name, field) => {
    const parsed = parseSignatureInput(field);
    expect(parsed.ok && parsed.value.get('sig1')).toEqual({
      ok: false,
      message: 'created and expires must be integers, not decimals',
    });
  });
});

describe('the messages of fields that do not parse', () => {
  it('should say a signature-input is not a structured-field dictionary', () => {
    expect(parseSignatureInput('sig1=(')).toEqual({
      ok: false,
      message: 'signature-input is not a structured-field dictionary',
    });
  });

  it('should say a signature member is not a byte sequence', () => {
    const parsed = parseSignatureField('sig1="abc"');
    expect(parsed.ok && parsed.value.get('sig1')).toEqual({
      ok: false,
      message: 'the member is not a byte sequence',
    });
  });

  it.each<[string, string, string]>([
    ['text that does not parse', '(', 'not a signature-params value: it does not parse'],
    [
      'a value that is not an inner list',
      '"@method"',
      'not a signature-params value: the member is not an inner list',
    ],
  ])('should refuse as @signature-params %s, and say why', (_name, value, message) => {
    let thrown: unknown;
    try {
      parseSignatureParams(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpvestConfigurationError);
    expect((thrown as Error).message).toBe(message);
  });
});
