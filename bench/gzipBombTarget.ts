// The helpdesk as the gzip-bomb benchmark's target: the real app (composition root, restify, CloudAdapter,
// lowdb) in its own process, which samples its own memory so the sender's buffers never count.
// Talks to its parent over IPC: { port } once listening; 'reset' -> baseline; 'report' -> peak since reset.
import { startTestApp } from '../test/support/testApp.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const t = await startTestApp({ housekeeping: false, env: { LOG_LEVEL: 'silent', DASHBOARD_DEV_LOGIN: 'true' } });

let baseline = process.memoryUsage();
let peak = { rss: baseline.rss, heapUsed: baseline.heapUsed };
setInterval(() => {
  const now = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
}, 2).unref();

process.on('message', (message: string) => {
  if (message === 'reset') {
    gc();
    baseline = process.memoryUsage();
    peak = { rss: baseline.rss, heapUsed: baseline.heapUsed };
    process.send!({ baseline: { rss: baseline.rss, heapUsed: baseline.heapUsed } });
  } else if (message === 'report') {
    const now = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
    process.send!({ peak });
  } else if (message === 'stop') {
    void t.stop({ keepData: false }).then(() => process.exit(0));
  }
});
process.send!({ port: Number(new URL(t.url).port) });
