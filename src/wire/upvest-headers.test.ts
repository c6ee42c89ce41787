import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import { upvestHeaders } from './upvest-headers.js';

const CLIENT_ID = '8d4997a8-cf7a-4e51-adbb-401656a3e5c2';

describe('upvestHeaders', () => {
  it('should name the caller, the API version of the spec and both answer types', () => {
    expect(upvestHeaders(CLIENT_ID)).toEqual({
      'upvest-client-id': CLIENT_ID,
      'upvest-api-version': '1',
      accept: 'application/json, application/problem+json',
    });
  });

  it("should send the default of the spec's upvest-api-version parameter, one of its enum values", () => {
    const { schema } = (
      openApiDocument as {
        components: {
          parameters: { UpvestApiVersion: { schema: { default: string; enum: string[] } } };
        };
      }
    ).components.parameters.UpvestApiVersion;
    expect(upvestHeaders(CLIENT_ID)['upvest-api-version']).toBe(schema.default);
    expect(schema.enum).toContain(schema.default);
  });
});
