// The load generator: a fixed number of Teams conversations, each sending its next turn when the response to
// its last arrives, against a bot's (or the proxy's) /api/messages. Replies come back to the CaptureConnector;
// a ReplyWatch there tells which turns got one, so a turn that was answered 200 but whose reply never
// arrived counts as lost.
import { request, type Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { prng } from '../test/support/fictionalStaff.js';
import type { CaptureConnector } from '../test/support/captureConnector.js';
import { TeamsUser } from '../test/support/teamsUser.js';

// What a member of staff sends in one visit to their conversation with the bot (a session), in order. Every
// stored conversation is pre-filled where the bot has just asked which phone they have (after "how do I get the
// app": bench/storedConversations.ts), so a session starts by answering that. The simulated people have not
// registered, so the app flow hands over to setting a password; they ask something else (which the password
// prompt will not keep), cancel, look at the menu, and leave after asking how to get the app again: the
// conversation is left just as the session found it. So a turn does the same work whether the bot holds 100
// conversations or 50,000; only how long ago its conversation was last used differs. Nobody types a password:
// no turn hashes one. test/bench/benchSessions.test.ts holds the pre-fill and the session to this.
export const SESSION = ['iphone', 'what are the password rules?', 'thanks', 'cancel', 'hello', 'menu', 'help', 'password rules', 'how do I get the app'];

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
  /** Where each simulated person is in their conversations with this target, kept from drive to drive. */
  sessions: Sessions;
  /** CPU time the target's bot processes have used so far, ms. */
  cpuMs(): number | undefined;
}

export const conversationId = (n: number) => `a:bench-personal-${n}`;

/**
 * Each simulated person's place in their sessions with one bot: the conversation they are in and their next
 * message. Person `slot` of `people` owns conversations slot, slot + people, slot + 2 people, ... (so no two
 * turns in flight ever share a conversation and wait on each other), and starts each session in one of them
 * picked at random: with 100 stored and 50 people, one of two; with 50,000, one of a thousand, nearly always one
 * nobody has used since it was stored. People start at different places in the session, so the turns in
 * flight at any moment are a mix of messages; the first session of each is therefore partial, and lands in the
 * first warm-up.
 */
export class Sessions {
  readonly #people: number;
  readonly #perPerson: number;
  readonly #random: () => number;
  readonly #place: number[];
  readonly #conversation: number[];

  constructor(people: number, stored: number, seed = 1) {
    if (stored < people) throw new Error(`${people} people need at least ${people} stored conversations (got ${stored})`);
    this.#people = people;
    this.#perPerson = Math.floor(stored / people);
    this.#random = prng(seed);
    this.#place = Array.from({ length: people }, (_, slot) => slot % SESSION.length);
    this.#conversation = Array.from({ length: people }, (_, slot) => this.#pick(slot));
  }

  /** Person `slot`'s next turn: which conversation, and what they say. */
  next(slot: number): { conversation: number; text: string } {
    if (this.#place[slot] === SESSION.length) {
      this.#place[slot] = 0;
      this.#conversation[slot] = this.#pick(slot);
    }
    const text = SESSION[this.#place[slot]!++]!;
    return { conversation: this.#conversation[slot]!, text };
  }

  #pick(slot: number): number {
    return slot + this.#people * Math.floor(this.#random() * this.#perPerson);
  }
}

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
  /** Varies the paced runs' arrival times from run to run. */
  offset: number;
  /** Checked before each turn: true stops sending (Ctrl-C). */
  stopping: () => boolean;
}

/** One turn of simulated user `slot`: their next message, in the conversation their session is in. */
function turnSender(target: LoadTarget, o: Pick<DriveOptions, 'agent' | 'connector' | 'users'>) {
  const endpoint = new URL(`${target.url}/api/messages`);
  const failures: string[] = [];
  const answeredOk: string[] = [];
  const send = async (slot: number): Promise<void> => {
    const u = o.users[slot]!;
    const { conversation, text } = target.sessions.next(slot);
    const teams = new TeamsUser({ botUrl: target.url, connector: o.connector, userId: u.userId, aadObjectId: u.aadObjectId, name: u.name, conversationId: conversationId(conversation) });
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
  await Promise.all(o.users.map((_, slot) => sent.send(slot)));
  const callsBefore = o.connector.count;
  const cpuBefore = target.cpuMs();
  const started = performance.now();
  await Promise.all(
    o.users.map(async (_, slot) => {
      for (let t = 0; t < o.turnsPerConversation && !o.stopping(); t++) {
        const t0 = performance.now();
        await sent.send(slot);
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
      sent.send(slot).finally(() => {
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
