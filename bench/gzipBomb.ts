// `npm run bench:gzip-bomb`: sends a gzip body that inflates to 200 MB (about 200 KB on the wire) to every
// route that reads a body, on the real app in a child process, and prints per route the answer and how far
// the child's memory (RSS and V8 heap, peak over a baseline after GC) rose. Exits 1 if a route did not
// answer 413 or its RSS rose by 20 MB or more. Loopback only; 8 requests in all.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { rawRequest } from '../test/support/rawHttp.js';

const INFLATED = 200 * 1024 * 1024;
const MAX_RISE_MB = 20;
const HERE = dirname(fileURLToPath(import.meta.url));

const ROUTES = [
  { path: '/api/messages', type: 'application/json' },
  { path: '/reset', type: 'application/x-www-form-urlencoded' },
  { path: '/unlock', type: 'application/x-www-form-urlencoded' },
  { path: '/api/dashboard/tickets/1/actions', type: 'application/json' },
];

/** Gzip of `size` zero bytes, made 1 MB at a time. */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const step = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += step.length) {
    if (!gzip.write(step)) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: Record<string, T>) => {
      if (key in reply) {
        child.off('message', listener);
        resolve(reply[key]!);
      }
    };
    child.on('message', listener);
    child.send(message);
  });
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const bomb = await gzipBomb(INFLATED);
const child = fork(join(HERE, 'gzipBombTarget.ts'), [], { execArgv: ['--import', 'tsx', '--disable-warning=DEP0111', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = await new Promise<number>((resolve, reject) => {
  child.once('message', (m: { port: number }) => resolve(m.port));
  child.once('exit', (code) => reject(new Error(`the app exited (${code}) before listening`)));
});
const url = `http://127.0.0.1:${port}`;

console.log(`gzip bomb: ${mb(INFLATED)} MB of zeros, ${(bomb.length / 1024).toFixed(0)} KB gzip; limit on RSS rise ${MAX_RISE_MB} MB`);
console.log('route                              sent as        status  ms     RSS rise MB  heap rise MB');
let failed = false;
for (const route of ROUTES) {
  for (const chunked of [false, true]) {
    const baseline = await ask<{ rss: number; heapUsed: number }>(child, 'reset', 'baseline');
    const started = performance.now();
    const answer = await rawRequest(url, {
      path: route.path,
      headers: [['Content-Type', route.type], ['Content-Encoding', 'gzip'], ...(chunked ? [] : ([['Content-Length', String(bomb.length)]] as Array<[string, string]>))],
      body: bomb,
      chunked,
      timeoutMs: 30_000,
    });
    const took = performance.now() - started;
    const peak = await ask<{ rss: number; heapUsed: number }>(child, 'report', 'peak');
    const rssRise = peak.rss - baseline.rss;
    const ok = answer.status === 413 && rssRise < MAX_RISE_MB * 2 ** 20;
    failed ||= !ok;
    console.log(
      `${route.path.padEnd(35)}${(chunked ? 'chunked' : 'Content-Length').padEnd(15)}${String(answer.status ?? 'none').padEnd(8)}${took.toFixed(0).padEnd(7)}${mb(rssRise).padEnd(13)}${mb(peak.heapUsed - baseline.heapUsed).padEnd(13)}${ok ? '' : 'FAIL'}`,
    );
  }
}
const health = await fetch(`${url}/healthz`);
console.log(`after the bombs: /healthz ${health.status}`);
failed ||= health.status !== 200;
child.send('stop');
await new Promise((resolve) => child.once('exit', resolve));
process.exit(failed ? 1 : 0);
