import { describe, expect, it } from 'vitest';
import { validateTokenResponse } from '../../generated/validators.js';
import { MockProblem } from './mock-problem.js';
import { exchangeClientCredentials, scopesSatisfy, TokenStore } from './mock-tokens.js';

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const credentials = { clientId: CLIENT_ID, clientSecret: 's3cr3t' };

describe('scopesSatisfy', () => {
  const reads = [['webhooks:read'], ['webhooks:admin']];
  const writes = [['webhooks:admin']];
  it.each<[string, string[][], string[], boolean]>([
    ['a read with webhooks:read', reads, ['webhooks:read'], true],
    ['a read with webhooks:admin', reads, ['webhooks:admin'], true],
    ['a read with another scope', reads, ['users:read'], false],
    ['a read with no scope', reads, [], false],
    ['a write with webhooks:admin', writes, ['webhooks:read', 'webhooks:admin'], true],
    ['a write with webhooks:read', writes, ['webhooks:read'], false],
    ['a requirement of two scopes with one', [['a', 'b']], ['a'], false],
    ['a requirement of two scopes with both', [['a', 'b']], ['b', 'a'], true],
    ['no requirement at all', [], [], true],
  ])('should decide %s: %s', (_name, requirements, granted, expected) => {
    expect(scopesSatisfy(requirements, new Set(granted))).toBe(expected);
  });
});

describe('TokenStore', () => {
  it('should issue opaque, distinct base64url tokens that expire by the clock', () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const store = new TokenStore(10, () => clock);
    const token = store.issue(['webhooks:read']);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.issue(['webhooks:read'])).not.toBe(token);
    expect(store.grant(token)?.scopes).toEqual(new Set(['webhooks:read']));
    clock = new Date('2026-01-01T00:00:10Z');
    expect(store.grant(token)).toBeUndefined();
    clock = new Date('2026-01-01T00:00:00Z');
    expect(store.grant(token)).toBeUndefined(); // an expired token is forgotten, not revived
  });

  it('should forget every token on clear', () => {
    const store = new TokenStore(10, () => new Date());
    const token = store.issue([]);
    store.clear();
    expect(store.grant(token)).toBeUndefined();
  });
});

describe('exchangeClientCredentials', () => {
  const form = (change: Record<string, string> = {}) => ({
    client_id: CLIENT_ID,
    client_secret: 's3cr3t',
    grant_type: 'client_credentials',
    scope: 'webhooks:admin',
    ...change,
  });
  const exchange = (fields: Record<string, string>, header: string | undefined) =>
    exchangeClientCredentials(fields, header, credentials, new TokenStore(3600, () => new Date()));

  it('should answer a token response with the granted scopes, each once', () => {
    const answer = exchange(
      form({ scope: 'webhooks:read  webhooks:admin webhooks:read' }),
      CLIENT_ID,
    );
    expect(validateTokenResponse(answer)).toBe(true);
    expect(answer).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'webhooks:read webhooks:admin',
    });
  });

  it.each<[string, number, Record<string, string>, string | undefined]>([
    ['a wrong secret', 401, form({ client_secret: 's3cr3T' }), CLIENT_ID],
    ['a longer secret', 401, form({ client_secret: 's3cr3tt' }), CLIENT_ID],
    [
      'another client id',
      401,
      form({ client_id: '00000000-0000-4000-8000-000000000000' }),
      CLIENT_ID,
    ],
    ['a header that disagrees', 401, form(), '00000000-0000-4000-8000-000000000000'],
    ['no header', 401, form(), undefined],
    ['an unknown scope', 400, form({ scope: 'webhooks:write' }), CLIENT_ID],
    ['only spaces for a scope', 400, form({ scope: '   ' }), CLIENT_ID],
    ['a missing grant_type', 400, { ...form(), grant_type: undefined } as never, CLIENT_ID],
  ])('should refuse %s with %i', (_name, status, fields, header) => {
    let thrown: unknown;
    try {
      exchange(fields, header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MockProblem);
    expect((thrown as MockProblem).status).toBe(status);
    expect((thrown as MockProblem).message).not.toContain('s3cr3t');
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'the request breaks the schema',
      { ...form(), grant_type: 'password' },
      'the token request is invalid',
    ],
    [
      'the credentials are wrong',
      form({ client_secret: 'nope' }),
      'the client credentials are wrong',
    ],
    ['the scope is empty', form({ scope: ' ' }), 'the scope is empty'],
    [
      'which scopes exist, without echoing the unknown ones',
      form({ scope: 'webhooks:admin s3cr3t-in-scope' }),
      'the scope names 1 unknown scope(s); known: webhooks:read, webhooks:admin',
    ],
  ])('should say %s', (_name, fields, detail) => {
    let thrown: unknown;
    try {
      exchange(fields, CLIENT_ID);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as MockProblem).detail).toBe(detail);
  });
});
