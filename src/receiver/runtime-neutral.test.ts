import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The receiving entry must load where only Web APIs exist (Cloudflare's workerd, Deno Deploy,
 * edge runtimes): no `node:` import, no `Buffer`, no `require`. Bundled here for a neutral
 * platform with its dependencies, as a worker's bundler would; the runtimes themselves run it in
 * CI (scripts/runtimes/).
 */
describe('the receiver entry, bundled for no particular runtime', () => {
  it('should import nothing from Node and use none of its globals', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      mainFields: ['module', 'main'],
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).toContain('crypto.subtle.verify');
    for (const forbidden of [/from\s*["']node:/, /\bBuffer\b/, /\brequire\(/, /\bprocess\.env\b/]) {
      expect(code).not.toMatch(forbidden);
    }
  });
});
