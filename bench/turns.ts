// `npm run bench`: chat turns through the real HTTP endpoint and adapter, at a fixed number of conversations
// in flight, against the helpdesk (with staff directories and stored conversations of several sizes: each
// size varied on its own from the smallest setting) and against a minimal echo bot on the same SDK. Each bot runs in its own process; the load generator and the stand-in Bot Connector (the
// capture server the bots send their replies to) run here. See bench/README.md for how to read the output.
//
// Settings (environment variable or --name=value):
//   BENCH_CONVERSATIONS / --conversations   conversations in flight, one per simulated user (50)
//   BENCH_TURNS / --turns                   measured turns per conversation and run (40)
//   BENCH_WARMUP / --warmup                 unmeasured turns before each run (200; 5 times as many before the first)
//   BENCH_RUNS / --runs                     runs per bot, interleaved; the table shows their median (3)
//   BENCH_STAFF / --staff                   staff directory sizes, comma-separated (1000,50000)
//   BENCH_STORED / --stored-conversations   conversations already stored before the bot starts (100,50000);
//                                           each turn goes to one of them, picked at random
//   BENCH_STORE / --store                   the helpdesk's store: lowdb (the embedded files; the only one so far)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LowdbStaffDirectory } from '../storage/lowdbStaffDirectory.js';
import type { StaffRecord } from '../esr/types.js';
import { fictionalStaff, prng } from '../test/support/fictionalStaff.js';
import { CaptureConnector } from '../test/support/captureConnector.js';
import { TeamsUser } from '../test/support/teamsUser.js';
import { storeConversations } from './storedConversations.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_ARGS = ['--import', 'tsx', '--disable-warning=DEP0111'];

// What a member of staff typically sends, in the order a conversation cycles through it.
// "how do I get the app" starts a flow that asks for the phone and looks the user up in the staff directory.
// The simulated users have not registered, so the app flow hands over to setting a password; they then ask
// something else, and cancel. Nobody types a password: no turn hashes one.
const MESSAGES = ['hello', 'menu', 'help', 'password rules', 'how do I get the app', 'iphone', 'what are the password rules?', 'thanks', 'cancel'];

// ---------------------------------------------------------------------------------------------- settings

function setting(name: string, env: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : (process.env[env] ?? fallback);
}
function positive(name: string, env: string, fallback: number): number {
  const raw = setting(name, env, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${env} (--${name}) should be a whole number of at least 1 (got "${raw}")`);
  return n;
}

const CONVERSATIONS = positive('conversations', 'BENCH_CONVERSATIONS', 50);
const TURNS = positive('turns', 'BENCH_TURNS', 40);
const WARMUP = positive('warmup', 'BENCH_WARMUP', 200);
const RUNS = positive('runs', 'BENCH_RUNS', 3);
const STORE = setting('store', 'BENCH_STORE', 'lowdb');
if (STORE !== 'lowdb') throw new Error(`BENCH_STORE (--store) should be "lowdb", the embedded store and the only one so far (got "${STORE}")`);
const STAFF_SIZES = setting('staff', 'BENCH_STAFF', '1000,50000')
  .split(',')
  .map((s) => Number(s.trim()));
if (STAFF_SIZES.some((n) => !Number.isInteger(n) || n < CONVERSATIONS)) {
  throw new Error(`BENCH_STAFF (--staff) should list whole numbers of at least ${CONVERSATIONS} (one record per simulated user)`);
}
const STORED_SIZES = setting('stored-conversations', 'BENCH_STORED', '100,50000')
  .split(',')
  .map((s) => Number(s.trim()));
if (STORED_SIZES.some((n) => !Number.isInteger(n) || n < CONVERSATIONS)) {
  throw new Error(`BENCH_STORED (--stored-conversations) should list whole numbers of at least ${CONVERSATIONS} (one per conversation in flight)`);
}

/** Through the directory's own API, which checks every record as the helpdesk does when it reads them. */
async function writeStaffFile(dataDir: string, records: StaffRecord[]): Promise<void> {
  if (new Set(records.map((r) => r.username)).size !== records.length) throw new Error('generated usernames are not unique');
  await (await LowdbStaffDirectory.open(join(dataDir, 'staff.json'))).upsertMany(records);
}

// ------------------------------------------------------------------------------------------- processes

interface Bot {
  name: string;
  staff: number | undefined;
  /** Conversations stored before it started. */
  stored: number | undefined;
  /** From spawning the process to its first healthy /healthz, ms. */
  startMs: number;
  url: string;
  child: ChildProcess;
  /** The last lines the process wrote, for when it fails. */
  output: string[];
  warnings: number;
  exited: boolean;
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const agents = new Set<Agent>();
/** Set on Ctrl-C: conversations stop sending, so the bots can close their connections and exit. */
let stopping = false;

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is not available. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file (11 and 12 after the command name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function startBot(name: string, script: string, env: Record<string, string>, staff?: number, stored?: number): Promise<Bot> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_ARGS, script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const bot: Bot = { name, staff, stored, startMs: performance.now(), url: `http://127.0.0.1:${port}`, child, output: [], warnings: 0, exited: false };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      // pino levels: 40 warn, 50 error, 60 fatal.
      if (/"level":(40|50|60)/.test(line) || /error/i.test(line)) bot.warnings++;
      bot.output.push(line.length > 400 ? `${line.slice(0, 400)}...` : line);
      if (bot.output.length > 20) bot.output.shift();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.on('exit', () => {
    bot.exited = true;
    children.delete(child);
  });
  return bot;
}

async function waitHealthy(bot: Bot, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (bot.exited) throw new Error(`${label(bot)} exited while starting:\n  ${bot.output.join('\n  ')}`);
    try {
      const res = await fetch(`${bot.url}/healthz`);
      if (res.ok) {
        bot.startMs = performance.now() - bot.startMs;
        return (await res.json()) as Record<string, unknown>;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${label(bot)} was not healthy after ${timeoutMs / 1000} s:\n  ${bot.output.join('\n  ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

async function cleanUp(): Promise<void> {
  stopping = true;
  for (const agent of agents) agent.destroy();
  await Promise.all([...children].map(stopChild));
  await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  tempDirs.clear();
}

// Last resort on an abrupt exit: nothing is left running or lying around.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the bots and removing the temp folders\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const label = (bot: Bot) =>
  bot.staff === undefined ? bot.name : `${bot.name} (${bot.staff.toLocaleString('en-GB')} staff, ${bot.stored!.toLocaleString('en-GB')} stored)`;

// ------------------------------------------------------------------------------------------------ load

interface SimUser {
  userId: string;
  aadObjectId: string;
  name: string;
}

interface RunResult {
  turns: number;
  seconds: number;
  latencies: Float64Array;
  connectorCalls: number;
  /** CPU the bot's process used per turn, ms. */
  cpuPerTurn: number | undefined;
  failures: string[];
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolvePost(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `turnsPerConversation` turns in each of the conversations, all conversations at once: each sends its next
 * turn when the response to its previous one arrives, so exactly `users.length` requests are in flight.
 */
async function drive(bot: Bot, agent: Agent, connector: CaptureConnector, users: SimUser[], turnsPerConversation: number, offset: number): Promise<RunResult> {
  // Each turn goes to a stored conversation picked at random. Slot i only picks conversations i, i + 50,
  // i + 100, ... (all that person's), so no two turns in flight ever share a conversation and wait on each other.
  const random = prng(offset + 1);
  const perSlot = Math.floor((bot.stored ?? users.length) / users.length);
  const endpoint = new URL(`${bot.url}/api/messages`);
  const latencies = new Float64Array(users.length * turnsPerConversation);
  const failures: string[] = [];
  let next = 0;
  const callsBefore = connector.count;
  const cpuBefore = cpuMs(bot.child.pid);
  const started = performance.now();
  await Promise.all(
    users.map(async (u, i) => {
      for (let t = 0; t < turnsPerConversation && !stopping; t++) {
        const conversation = i + users.length * Math.floor(random() * perSlot);
        const teams = new TeamsUser({ botUrl: bot.url, connector, userId: u.userId, aadObjectId: u.aadObjectId, name: u.name, conversationId: conversationId(conversation) });
        const text = MESSAGES[(i + offset + t) % MESSAGES.length]!;
        const body = JSON.stringify(teams.activity({ text }));
        const t0 = performance.now();
        try {
          const status = await post(agent, endpoint, body);
          if (status < 200 || status >= 300) failures.push(`HTTP ${status} for "${text}"`);
        } catch (error) {
          failures.push(`${(error as Error).message} for "${text}"`);
        }
        latencies[next++] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuMs(bot.child.pid);
  const cpuPerTurn = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / latencies.length;
  return { turns: latencies.length, seconds, latencies, connectorCalls: connector.count - callsBefore, cpuPerTurn, failures };
}

const conversationId = (n: number) => `a:bench-personal-${n}`;
const fmtMs = (ms: number) => `${Math.round(ms).toLocaleString('en-GB')} ms`;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Summary {
  turnsPerSecond: number;
  p50: number;
  p99: number;
  cpu: number;
}

function summarise(r: RunResult): Summary {
  const sorted = Float64Array.from(r.latencies).sort();
  return { turnsPerSecond: r.turns / r.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpu: r.cpuPerTurn ?? Number.NaN };
}

/** How long a small synchronous write takes on the disk the helpdesk's data folder is on. */
async function datasyncMs(dir: string): Promise<number> {
  const file = join(dir, '.bench-probe');
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const handle = await open(file, 'w');
    await handle.writeFile(`{"probe":${i}}`);
    await handle.datasync();
    await handle.close();
    times.push(performance.now() - t0);
  }
  await rm(file, { force: true });
  return median(times);
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
  const benchStarted = performance.now();
  const connector = await new CaptureConnector().start();
  connector.keepBodies = false;

  const biggest = Math.max(...STAFF_SIZES);
  const { userRecords } = fictionalStaff(biggest, CONVERSATIONS);
  const users: SimUser[] = userRecords.map((r, i) => ({ userId: `29:bench-user-${i + 1}`, aadObjectId: r.entraObjectId!, name: `${r.firstName} ${r.lastName}` }));
  userRecords.forEach((r, i) => {
    const u = users[i]!;
    connector.roster.set(u.userId, {
      id: u.userId,
      name: u.name,
      aadObjectId: u.aadObjectId,
      email: r.workEmail,
      userPrincipalName: r.upn!,
      givenName: r.firstName,
      surname: r.lastName,
    });
  });

  const bots: Bot[] = [];
  let diskMs = 0;
  try {
    const echo = await startBot('echo', 'bench/echoBot.ts', {});
    await waitHealthy(echo);
    bots.push(echo);
    // One setting varied at a time from the smallest of each: every staff size with the fewest stored
    // conversations, and every number of stored conversations with the smallest directory.
    const configurations = [
      ...STAFF_SIZES.map((staff) => ({ staff, stored: STORED_SIZES[0]! })),
      ...STORED_SIZES.slice(1).map((stored) => ({ staff: STAFF_SIZES[0]!, stored })),
    ];
    const storeOpenMs = new Map<number, number>();
    for (const { staff, stored } of configurations) {
      const dataDir = await mkdtemp(join(tmpdir(), `esr-bench-${staff}-${stored}-`));
      tempDirs.add(dataDir);
      if (!diskMs) diskMs = await datasyncMs(dataDir);
      // Same generator and seed for every size: the simulated users are the same people in each directory.
      await writeStaffFile(dataDir, fictionalStaff(staff, CONVERSATIONS).records);
      const filled = await storeConversations(
        dataDir,
        Array.from({ length: stored }, (_, n) => ({ conversationId: conversationId(n), aadObjectId: `bench-stored-${n}` })),
      );
      storeOpenMs.set(stored, filled.openMs);
      // Started one at a time, so each start-up time is its own.
      const bot = await startBot(
        'helpdesk',
        'bot/index.ts',
        { DATA_DIR: dataDir, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'development', MicrosoftAppId: '', MicrosoftAppPassword: '', SMTP_URL: '' },
        staff,
        stored,
      );
      const health = await waitHealthy(bot);
      if (health.staff !== staff) throw new Error(`${label(bot)} reports ${String(health.staff)} staff records`);
      bots.push(bot);
    }

    process.stdout.write(
      `ESR Helpdesk benchmark: ${CONVERSATIONS} conversations in flight, ${WARMUP} warm-up (${5 * WARMUP} before the first) + ${CONVERSATIONS * TURNS} measured turns per run, ` +
        `${RUNS} run(s) per bot, interleaved; store: ${STORE}; each turn goes to one of the stored conversations, at random.\n` +
        `Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}; a small write + datasync in the data folder takes ${diskMs.toFixed(2)} ms.\n` +
        `Start-up: ${bots.slice(1).map((b) => `${label(b)} ${fmtMs(b.startMs)}`).join('; ')}.\n` +
        `State store opened with ${[...storeOpenMs].map(([n, ms]) => `${n.toLocaleString('en-GB')} stored conversations in ${fmtMs(ms)}`).join(', ')}.\n`,
    );

    const results = new Map<Bot, Summary[]>(bots.map((b) => [b, []]));
    const calls = new Map<Bot, number>(bots.map((b) => [b, 0]));
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Rotate the order so that no bot always goes first (or always follows the heaviest).
      const order = bots.map((_, i) => bots[(i + run) % bots.length]!);
      for (const bot of order) {
        const agent = new Agent({ keepAlive: true, maxSockets: CONVERSATIONS });
        agents.add(agent);
        // The first warm-up is longer: it also lets the JIT compile the hot paths and the heap settle.
        const warm = await drive(bot, agent, connector, users, Math.max(1, Math.ceil(((run === 0 ? 5 : 1) * WARMUP) / CONVERSATIONS)), run * 3);
        const measured = await drive(bot, agent, connector, users, TURNS, run * 3 + 1);
        agent.destroy();
        agents.delete(agent);
        if (stopping) return 130;
        if (bot.exited) throw new Error(`${label(bot)} exited during the run:\n  ${bot.output.join('\n  ')}`);
        failures.push(...[...warm.failures, ...measured.failures].map((f) => `${label(bot)}: ${f}`));
        const s = summarise(measured);
        results.get(bot)!.push(s);
        calls.set(bot, calls.get(bot)! + measured.connectorCalls / measured.turns);
        process.stdout.write(
          `  run ${run + 1}/${RUNS} ${label(bot).padEnd(44)} ${s.turnsPerSecond.toFixed(0).padStart(6)} turns/s  p50 ${s.p50.toFixed(1).padStart(6)} ms  p99 ${s.p99.toFixed(1).padStart(6)} ms  cpu ${s.cpu.toFixed(2)} ms/turn\n`,
        );
      }
    }

    const med = (bot: Bot): Summary => {
      const rs = results.get(bot)!;
      return { turnsPerSecond: median(rs.map((r) => r.turnsPerSecond)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cpu: median(rs.map((r) => r.cpu)) };
    };
    const fmt = (n: number, digits = 1) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const lines = [
      '',
      `${RUNS > 1 ? `median of ${RUNS} runs` : '1 run'}; "cpu ms" = CPU time of the bot's process per turn; "out/turn" = calls each turn made to the connector`,
      `${'bot'.padEnd(16)} ${'staff'.padEnd(8)} ${'stored'.padEnd(8)} ${'turns'.padStart(6)} ${'turns/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'cpu ms'.padStart(7)} ${'out/turn'.padStart(9)}`,
    ];
    for (const bot of bots) {
      const s = med(bot);
      lines.push(
        `${bot.name.padEnd(16)} ${(bot.staff === undefined ? '-' : bot.staff.toLocaleString('en-GB')).padEnd(8)} ${(bot.stored === undefined ? '-' : bot.stored.toLocaleString('en-GB')).padEnd(8)} ${String(CONVERSATIONS * TURNS).padStart(6)} ` +
          `${fmt(s.turnsPerSecond, 0).padStart(8)} ${fmt(s.p50).padStart(8)} ${fmt(s.p99).padStart(8)} ${fmt(s.cpu, 2).padStart(7)} ${fmt(calls.get(bot)! / RUNS, 2).padStart(9)}`,
      );
    }
    lines.push('');
    // Each ratio is taken within a run (the two bots measured minutes apart at most, under the same load
    // from anything else on the machine), then the median over runs is reported, with the range.
    const ratio = (num: Bot, den: Bot, of: (s: Summary) => number) => {
      const per = results.get(num)!.map((s, i) => of(s) / of(results.get(den)![i]!));
      return { value: median(per), low: Math.min(...per), high: Math.max(...per) };
    };
    const verdict = (r: { value: number; low: number; high: number }, target: number) =>
      `${r.value.toFixed(2)}  (${RUNS > 1 ? `runs ${r.low.toFixed(2)}-${r.high.toFixed(2)}; ` : ''}target <= ${target})  ${r.value <= target ? 'PASS' : 'MISS'}`;
    const helpdesks = bots.slice(1);
    const setting = (b: Bot) => `${b.staff!.toLocaleString('en-GB')} staff, ${b.stored!.toLocaleString('en-GB')} stored`;
    for (const bot of helpdesks) {
      lines.push(`helpdesk p50 / echo p50 (${setting(bot)}): ${verdict(ratio(bot, echo, (s) => s.p50), 1.5)}`);
    }
    const baseline = helpdesks[0]!;
    const byStaff = helpdesks.filter((b) => b.stored === baseline.stored);
    const byStored = helpdesks.filter((b) => b.staff === baseline.staff);
    if (byStaff.length >= 2) {
      const large = byStaff[byStaff.length - 1]!;
      const name = `${large.staff!.toLocaleString('en-GB')} / ${baseline.staff!.toLocaleString('en-GB')}`;
      lines.push(`${name} staff, p50: ${verdict(ratio(large, baseline, (s) => s.p50), 1.2)}`);
      lines.push(`${name} staff, p99: ${verdict(ratio(large, baseline, (s) => s.p99), 1.2)}`);
      lines.push(`${name} staff, turns/s (inverted: ${baseline.staff!.toLocaleString('en-GB')} / ${large.staff!.toLocaleString('en-GB')}): ${verdict(ratio(baseline, large, (s) => s.turnsPerSecond), 1.2)}`);
    }
    if (byStored.length >= 2) {
      const large = byStored[byStored.length - 1]!;
      const name = `stored ${large.stored!.toLocaleString('en-GB')} vs ${baseline.stored!.toLocaleString('en-GB')}`;
      lines.push(`${name}: CPU per turn: ${verdict(ratio(large, baseline, (s) => s.cpu), 1.2)}`);
      lines.push(`${name}: reply p99: ${verdict(ratio(large, baseline, (s) => s.p99), 1.2)}`);
      lines.push(`${name}: p50 ${ratio(large, baseline, (s) => s.p50).value.toFixed(2)}, turns/s (inverted) ${ratio(baseline, large, (s) => s.turnsPerSecond).value.toFixed(2)} (for information)`);
    }
    lines.push(`helpdesk p99 / echo p99 (for information): ${helpdesks.map((b) => `${ratio(b, echo, (s) => s.p99).value.toFixed(2)} (${setting(b)})`).join(', ')}`);
    // With a fixed number of turns in flight, mean latency = in flight / throughput: this ratio is the helpdesk's
    // mean latency over the echo bot's, which a bottleneck that parks some conversations cannot flatter.
    lines.push(`echo turns/s / helpdesk turns/s = mean latency ratio (for information): ${helpdesks.map((b) => `${ratio(echo, b, (s) => s.turnsPerSecond).value.toFixed(2)} (${setting(b)})`).join(', ')}`);
    const [load1] = loadavg();
    lines.push(`machine load average (1 min) at the end: ${load1!.toFixed(1)} on ${availableParallelism()} cores${load1! > availableParallelism() ? ' - other work was running; expect noisy figures' : ''}`);
    for (const bot of bots) {
      if (bot.warnings > 0) lines.push(`note: ${label(bot)} logged ${bot.warnings} warning/error line(s); the last: ${bot.output[bot.output.length - 1] ?? ''}`);
    }
    if (failures.length > 0) {
      lines.push(`FAILED: ${failures.length} turn(s) did not succeed, e.g. ${failures.slice(0, 3).join('; ')}`);
    }
    lines.push(`(took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s)`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await cleanUp();
    await connector.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void cleanUp().finally(() => process.exit(1));
  },
);
