/**
 * tsc compiles TypeScript only; the precompiled validators are JavaScript with a hand-shaped
 * declaration file, so the build copies both next to the compiled code in dist/generated/.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.join(root, 'generated');
const to = path.join(root, 'dist', 'generated');
await mkdir(to, { recursive: true });
for (const name of await readdir(from)) {
  if (name.endsWith('.js') || name.endsWith('.d.ts'))
    await copyFile(path.join(from, name), path.join(to, name));
}
