// `npm run build`'s second step: the files the compiled code reads beside itself (card templates, content
// and FAQ JSON, SQL migrations, the pages' static files) copied into dist/ in the same layout, so
// `node dist/bot/index.js` finds them exactly where `bot/index.ts` does.
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const RUNTIME = ['bot', 'core', 'dialogs', 'cards', 'content', 'esr', 'state', 'storage', 'mail', 'web', 'tickets', 'understanding'];
const out = process.argv[2] ?? 'dist';

/** @param {string} dir */
async function copyAssets(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await copyAssets(path);
    else if (!entry.name.endsWith('.ts')) await cp(path, join(out, path));
  }
}
for (const dir of RUNTIME) await copyAssets(dir);
