// The load generator: a fixed number of Teams conversations, each sending its next turn when the response to
// its last arrives, against a bot's (or the proxy's) /api/messages. Replies come back to the CaptureConnector;
// a ReplyWatch there tells which turns got one, so a turn that was answered 200 but whose reply never
// arrived counts as lost.
import { request, type Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { prng } from '../test/support/fictionalStaff.js';
import type { CaptureConnector } from '../test/support/captureConnector.js';
import { TeamsUser } from '../test/support/teamsUser.js';

// What a member of staff typically sends, in the order a conversation cycles through it.
// "how do I get the app" starts a flow that asks for the phone and looks the user up in the staff directory.
// The simulated users have not registered, so the app flow hands over to setting a password; they then ask
// something else, and cancel. Nobody types a password: no turn hashes one.
export const MESSAGES = ['hello', 'menu', 'help', 'password rules', 'how do I get the app', 'iphone', 'what are the password rules?', 'thanks', 'cancel'];

export interface SimUser {
  userId: string;
  aadObjectId: string;
  name: string;
}

export interface RunResult {
  turns: number;
  seconds: number;
  latencies: Float64Array;
  connectorCalls: number;
  /** CPU the bot's processes used per turn, ms (all instances together). */
  cpuPerTurn: number | undefined;
  /** Turns that got an HTTP error or no answer. */
  failures: string[];
  /** Turns answered 2xx whose reply never reached the connector. */
  unanswered: number;
}

export interface LoadTarget {
  url: string;
  /** Conversations stored before the bot started: each turn goes to one of them. */
  stored: number | undefined;
  /** CPU time the target's bot processes have used so far, ms. */
  cpuMs(): number | undefined;
}

export const conversationId = (n: number) => `a:bench-personal-${n}`;

/**
 * Notes the incoming activity each reply answers: the SDK posts a reply to
 * /v3/conversations/{conversation}/activities/{id of the activity it replies to}.
 */
export class ReplyWatch {
  readonly #answered = new Set<string>();

  constructor(connector: CaptureConnector) {
    // The connector's per-call hook, used only to look: returning undefined lets it answer as usual.
    connector.respond = (call) => {
      if (call.method === 'POST' && call.activityId) this.#answered.add(call.activityId);
      return undefined;
    };
  }

  /** How many of `ids` have no reply yet, after waiting up to `graceMs` for late ones. */
  async missing(ids: string[], graceMs = 2_000): Promise<number> {
    const deadline = performance.now() + graceMs;
    let left = ids.filter((id) => !this.#answered.has(id));
    while (left.length > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = left.filter((id) => !this.#answered.has(id));
    }
    for (const id of ids) this.#answered.delete(id);
    return left.length;
  }
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

export interface DriveOptions {
  agent: Agent;
  connector: CaptureConnector;
  replies: ReplyWatch;
  users: SimUser[];
  turnsPerConversation: number;
  /** Varies the messages and the conversations picked from run to run. */
  offset: number;
  /** Checked before each turn: true stops sending (Ctrl-C). */
  stopping: () => boolean;
}

/** One turn of simulated user `slot` (their `nth` turn) to one of that person's stored conversations. */
function turnSender(target: LoadTarget, o: Pick<DriveOptions, 'agent' | 'connector' | 'users' | 'offset'>) {
  // Slot i only picks conversations i, i + 50, i + 100, ... (all that person's), so no two turns in flight ever
  // share a conversation and wait on each other.
  const random = prng(o.offset + 1);
  const perSlot = Math.floor((target.stored ?? o.users.length) / o.users.length);
  const endpoint = new URL(`${target.url}/api/messages`);
  const failures: string[] = [];
  const answeredOk: string[] = [];
  const send = async (slot: number, nth: number): Promise<void> => {
    const u = o.users[slot]!;
    const conversation = slot + o.users.length * Math.floor(random() * perSlot);
    const teams = new TeamsUser({ botUrl: target.url, connector: o.connector, userId: u.userId, aadObjectId: u.aadObjectId, name: u.name, conversationId: conversationId(conversation) });
    const text = MESSAGES[(slot + o.offset + nth) % MESSAGES.length]!;
    const activity = teams.activity({ text });
    try {
      const status = await post(o.agent, endpoint, JSON.stringify(activity));
      if (status < 200 || status >= 300) failures.push(`HTTP ${status} for "${text}"`);
      else answeredOk.push(String(activity.id));
    } catch (error) {
      failures.push(`${(error as Error).message} for "${text}"`);
    }
  };
  return { send, failures, answeredOk };
}

async function finish(target: LoadTarget, o: DriveOptions | PacedOptions, sent: ReturnType<typeof turnSender>, latencies: Float64Array, started: number, cpuBefore: number | undefined, callsBefore: number): Promise<RunResult> {
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = target.cpuMs();
  const cpuPerTurn = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / latencies.length;
  const unanswered = await o.replies.missing(sent.answeredOk);
  return { turns: latencies.length, seconds, latencies, connectorCalls: o.connector.count - callsBefore, cpuPerTurn, failures: sent.failures, unanswered };
}

/**
 * `turnsPerConversation` turns in each of the conversations, all conversations at once: each sends its next
 * turn when the response to its previous one arrives, so exactly `users.length` requests are in flight.
 */
export async function drive(target: LoadTarget, o: DriveOptions): Promise<RunResult> {
  const sent = turnSender(target, o);
  const latencies = new Float64Array(o.users.length * o.turnsPerConversation);
  let next = 0;
  // Each conversation's connection is opened by a turn of its own, not measured: fifty connections opened at
  // the same moment made the first turns of a run its slowest (up to 0.5 s, echo bot included), and in some
  // runs they were the whole of its p99.
  await Promise.all(o.users.map((_, slot) => sent.send(slot, o.turnsPerConversation)));
  const callsBefore = o.connector.count;
  const cpuBefore = target.cpuMs();
  const started = performance.now();
  await Promise.all(
    o.users.map(async (_, slot) => {
      for (let t = 0; t < o.turnsPerConversation && !o.stopping(); t++) {
        const t0 = performance.now();
        await sent.send(slot, t);
        latencies[next++] = performance.now() - t0;
      }
    }),
  );
  return finish(target, o, sent, latencies, started, cpuBefore, callsBefore);
}

export interface PacedOptions extends Omit<DriveOptions, 'turnsPerConversation'> {
  /** Turns a second, on average. */
  rate: number;
  turns: number;
}

/**
 * Open loop: `turns` turns arriving at `rate` a second whatever the bot's speed, with random (exponential) gaps
 * from a seeded generator, so bursts come as they do in real use. Each goes to a simulated user with no turn in
 * flight (waiting for one if all are busy). A turn's latency counts from when it was due, so a bot that falls
 * behind is charged for the wait. Below saturation this is the latency a person sees at that load; the closed
 * loop of `drive` instead measures mostly the queue in front of a saturated bot.
 */
export async function drivePaced(target: LoadTarget, o: PacedOptions): Promise<RunResult> {
  const sent = turnSender(target, o);
  const random = prng(o.offset + 7_919);
  const latencies = new Float64Array(o.turns);
  const free = o.users.map((_, slot) => slot);
  const waiting: Array<(slot: number) => void> = [];
  const nth = new Array<number>(o.users.length).fill(0);
  const release = (slot: number) => {
    const next = waiting.shift();
    if (next) next(slot);
    else free.push(slot);
  };
  const callsBefore = o.connector.count;
  const cpuBefore = target.cpuMs();
  const started = performance.now();
  let due = started;
  const inFlight: Array<Promise<void>> = [];
  for (let k = 0; k < o.turns && !o.stopping(); k++) {
    due += (-Math.log(1 - random()) * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const dueAt = due;
    // The user free longest: turns spread over all of them, each person's a while apart, as people type.
    const slot = free.shift() ?? (await new Promise<number>((r) => waiting.push(r)));
    inFlight.push(
      sent.send(slot, nth[slot]!++).finally(() => {
        latencies[k] = performance.now() - dueAt;
        release(slot);
      }),
    );
  }
  await Promise.all(inFlight);
  return finish(target, o, sent, latencies, started, cpuBefore, callsBefore);
}

export interface Summary {
  turnsPerSecond: number;
  p50: number;
  p99: number;
  cpu: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function summarise(r: RunResult): Summary {
  const sorted = Float64Array.from(r.latencies).sort();
  return { turnsPerSecond: r.turns / r.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpu: r.cpuPerTurn ?? Number.NaN };
}
