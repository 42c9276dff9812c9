// Seeded random inputs for the edge fuzz test: mutated Teams activities, form and JSON bodies, encodings and
// headers. Deterministic for a seed. Every URL it makes is loopback, and no string it makes contains "://",
// so nothing fuzzed can send the bot (replies, roster lookups, attachment downloads) off this machine.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import type { RawRequest } from './rawHttp.js';

/** mulberry32: small, fast, good enough for picking test inputs. */
export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0000\u0001\u0002',
  '\uFEFF',
  '\uD800',
  '\uDFFF\uD800',
  '😀👩🏽‍⚕️🏥',
  'ḟ̵̡̛̳̺o̷̢̗͎o̷',
  'שלום עולם',
  'مرحبا',
  'Ŵ ŷ ŵ ẁ ẃ ẅ — Croeso',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${{7*7}}',
  '{{constructor.constructor("x")()}}',
  '__proto__',
  'constructor',
  'prototype',
  '%00%ff%',
  '\r\nX-Injected: 1',
  'help',
  'menu',
  'cancel',
  'I forgot my password',
  'unlock my account',
  'what are the password rules?',
  'forgotten username',
  'ESR from home',
  'copper meadow violin tide',
  '241ADEMO01',
  'alex.demo@nhs-trust.example',
  '14/03/1985',
  'NaN',
  'null',
  'undefined',
  '-1',
  '1e309',
  'true',
];

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,;!?@#$%^&*()[]{}<>|~`"\'+=';

export function randomString(r: Prng): string {
  const kind = r.int(20);
  if (kind < 8) return r.pick(ODD_STRINGS);
  if (kind < 15) return Array.from({ length: r.int(40) }, () => ASCII[r.int(ASCII.length)]).join('');
  if (kind < 19) return String.fromCodePoint(...Array.from({ length: 1 + r.int(20) }, () => r.pick([r.int(0x80), 0x80 + r.int(0x780), 0x4e00 + r.int(0x5000), 0x1f300 + r.int(0x300), 0xe000 + r.int(0x1000)]))).replace(/:\/\//g, '');
  // Huge: up to about 100 KB of a repeated odd string.
  return r.pick(ODD_STRINGS.filter(Boolean)).repeat(1 + r.int(100_000 / 8));
}

export function randomValue(r: Prng, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 7 : 10);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 42]);
    case 2:
      return r.chance(0.5);
    case 3:
    case 4:
    case 5:
    case 6:
      return randomString(r);
    case 7:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    case 8:
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(['id', 'type', 'text', 'name', 'value', 'data', '__proto__', 'constructor', 'msteams', randomString(r).slice(0, 30)]), randomValue(r, depth + 1)]));
    default:
      return nested(r, 1 + r.int(60));
  }
}

function nested(r: Prng, levels: number): unknown {
  let value: unknown = randomString(r).slice(0, 10);
  for (let i = 0; i < levels; i++) value = r.chance(0.5) ? [value] : { [r.pick(['a', 'value', 'data'])]: value };
  return value;
}

const ACTIVITY_TYPES = ['message', 'message', 'message', 'invoke', 'conversationUpdate', 'messageReaction', 'event', 'installationUpdate', 'typing', 'endOfConversation', 'messageUpdate', 'messageDelete', 'trace', 'handoff', 'suggestion', 'command'];
const INVOKE_NAMES = ['adaptiveCard/action', 'task/fetch', 'task/submit', 'composeExtension/query', 'signin/verifyState', 'signin/tokenExchange', 'fileConsent/invoke', 'actionableMessage/executeAction', 'config/fetch'];

// Places in an activity worth breaking; anything else is a new field.
const PATHS = [
  'type',
  'id',
  'text',
  'value',
  'name',
  'from',
  'from.id',
  'from.name',
  'from.aadObjectId',
  'recipient',
  'recipient.id',
  'conversation',
  'conversation.id',
  'conversation.conversationType',
  'conversation.tenantId',
  'channelData',
  'channelData.tenant',
  'channelData.tenant.id',
  'channelData.team',
  'channelData.channel',
  'attachments',
  'entities',
  'locale',
  'timestamp',
  'localTimestamp',
  'replyToId',
  'membersAdded',
  'membersRemoved',
  'textFormat',
  'channelId',
  'valueType',
  'action',
  'relatesTo',
  'reactionsAdded',
  'label',
];

function setPath(target: Record<string, unknown>, path: string, value: unknown, remove: boolean): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
}

/** Values that look like what Teams sends for a field, to get past first checks and into the dialogs. */
function plausible(r: Prng, path: string, loopbackUrl: string): unknown {
  switch (path) {
    case 'type':
      return r.pick(ACTIVITY_TYPES);
    case 'name':
      return r.pick(INVOKE_NAMES);
    case 'value':
      return r.pick([{ action: 'menu' }, { action: r.pick(['forgotPassword', 'register', 'unlock', 'report', 'faq', 'cancel', 'submit']) }, { verb: 'resolve' }, { action: { type: 'Action.Execute', verb: 'x', data: randomValue(r) } }, { password: randomString(r), confirm: randomString(r) }]);
    case 'attachments':
      return [{ contentType: r.pick(['image/png', 'application/vnd.microsoft.teams.file.download.info', 'text/html', 'application/vnd.microsoft.card.adaptive']), contentUrl: `${loopbackUrl}/${r.int(1000)}.png`, content: r.chance(0.5) ? { downloadUrl: `${loopbackUrl}/file`, fileType: 'png' } : randomValue(r), name: randomString(r).slice(0, 50) }];
    case 'entities':
      return [{ type: 'mention', text: '<at>ESR Helpdesk</at>', mentioned: { id: '28:bot', name: randomString(r).slice(0, 20) } }, { type: 'clientInfo', locale: randomString(r).slice(0, 10), timezone: randomString(r).slice(0, 40) }];
    case 'membersAdded':
    case 'membersRemoved':
      return [{ id: r.pick(['28:bot', '29:alex', randomString(r).slice(0, 20)]) }];
    case 'channelData':
      return { tenant: { id: 'tenant-1' }, eventType: r.pick(['teamMemberAdded', 'channelCreated', randomString(r)]), team: { id: randomString(r).slice(0, 30) }, channel: { id: '19:abc@thread.tacv2' }, source: { name: 'message' } };
    case 'conversation.conversationType':
      return r.pick(['personal', 'channel', 'groupChat', randomString(r)]);
    case 'locale':
      return r.pick(['en-GB', 'cy-GB', 'xx', '', 'en-GB-u-ca-buddhist', randomString(r)]);
    default:
      return randomValue(r);
  }
}

/** A Teams message activity (as TeamsUser builds one) with 1 to 5 fields broken or replaced. */
export function mutatedActivity(r: Prng, base: Record<string, unknown>, loopbackUrl: string): Record<string, unknown> {
  const activity = structuredClone(base);
  const mutations = 1 + r.int(5);
  for (let i = 0; i < mutations; i++) {
    const path = r.chance(0.9) ? r.pick(PATHS) : randomString(r).slice(0, 30) || 'extra';
    const remove = r.chance(0.15);
    setPath(activity, path, r.chance(0.5) ? plausible(r, path, loopbackUrl) : randomValue(r), remove);
  }
  // The reply address stays the connector, or is not a URL at all. (An unreachable one is left out: the SDK
  // retries it for about 16 s before the turn ends, which a fuzz run cannot afford; see the report.)
  if (r.chance(0.03)) activity.serviceUrl = r.pick(['', 'not a url', 'ftp:x', 42, null, { url: loopbackUrl }]);
  return activity;
}

export type EncodingPlan = 'identity' | 'gzip' | 'deflate' | 'br' | 'garbage-gzip' | 'unlabelled-gzip' | 'mislabelled' | 'unknown' | 'truncated-gzip' | 'raw-deflate' | 'stacked';

const ENCODINGS: Array<[EncodingPlan, number]> = [
  ['identity', 55],
  ['gzip', 10],
  ['deflate', 6],
  ['br', 5],
  ['garbage-gzip', 5],
  ['unlabelled-gzip', 3],
  ['mislabelled', 4],
  ['unknown', 3],
  ['truncated-gzip', 4],
  ['raw-deflate', 3],
  ['stacked', 2],
];

export function pickEncoding(r: Prng): EncodingPlan {
  let roll = r.int(ENCODINGS.reduce((sum, [, w]) => sum + w, 0));
  for (const [plan, weight] of ENCODINGS) if ((roll -= weight) < 0) return plan;
  return 'identity';
}

/** The body bytes and Content-Encoding header (if any) for a plan. */
export function encode(r: Prng, plan: EncodingPlan, body: Buffer): { body: Buffer; encoding?: string } {
  switch (plan) {
    case 'identity':
      return r.chance(0.1) ? { body, encoding: r.pick(['identity', 'IDENTITY', ' identity ']) } : { body };
    case 'gzip':
      return { body: gzipSync(body), encoding: r.pick(['gzip', 'x-gzip', 'GZIP']) };
    case 'deflate':
      return { body: deflateSync(body), encoding: 'deflate' };
    case 'br':
      return { body: brotliCompressSync(body), encoding: 'br' };
    case 'garbage-gzip':
      return { body: r.chance(0.5) ? body : Buffer.from([0x1f, 0x8b, 0x08, ...Array.from({ length: r.int(200) }, () => r.int(256))]), encoding: r.pick(['gzip', 'deflate', 'br']) };
    case 'unlabelled-gzip':
      return { body: gzipSync(body) };
    case 'mislabelled':
      return { body: gzipSync(body), encoding: r.pick(['deflate', 'br']) };
    case 'unknown':
      return { body, encoding: r.pick(['compress', 'zstd', 'lzma', 'gzip;q=1', '*', ',', randomString(r).replace(/[\r\n\0]/g, '').slice(0, 20) || 'x']) };
    case 'truncated-gzip': {
      const zipped = gzipSync(body);
      return { body: zipped.subarray(0, r.int(zipped.length)), encoding: 'gzip' };
    }
    case 'raw-deflate':
      return { body: deflateRawSync(body), encoding: 'deflate' };
    case 'stacked':
      return { body: gzipSync(gzipSync(body)), encoding: r.pick(['gzip, gzip', 'gzip,deflate', 'identity, gzip']) };
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'text/plain',
  'text/html',
  '',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'a/b/c;;;=',
  'json',
  '*/*',
];

const AUTH_HEADERS = [
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3Qta2V5LTEifQ.eyJpc3MiOiJodHRwczovL2V2aWwuZXhhbXBsZSJ9.c2ln',
  'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
  'Negotiate abc',
  'bearer lowercase',
  'Bearer a.b.c.d.e',
  'Bearer ' + 'A'.repeat(8000),
  '\t',
];

export interface FuzzRequest {
  request: RawRequest;
  /** Sending this may legitimately get no answer (a Content-Length that promises more than is sent). */
  mayDrop: boolean;
}

/** Adds header mischief to a request: content-type variants, lying lengths, garbage auth, oddities. */
export function withHeaders(
  r: Prng,
  path: string,
  method: string,
  contentType: string | undefined,
  encoded: { body: Buffer; encoding?: string },
  /** A real Authorization header to send most of the time (garbage ones are mixed in either way). */
  authorization?: string,
): FuzzRequest {
  const headers: Array<[string, string]> = [];
  const type = r.chance(0.8) ? contentType : r.pick(CONTENT_TYPES);
  if (type !== undefined && !(type === '' && r.chance(0.5))) headers.push(['Content-Type', type]);
  if (encoded.encoding !== undefined) headers.push(['Content-Encoding', encoded.encoding]);
  if (r.chance(0.15)) headers.push(['Authorization', r.pick(AUTH_HEADERS)]);
  else if (authorization !== undefined) headers.push(['Authorization', authorization]);
  if (r.chance(0.05)) headers.push(['Accept', r.pick(['text/html', 'application/xml', 'image/png', '*/*;q=0', 'garbage'])]);
  if (r.chance(0.03)) headers.push(['X-Forwarded-For', r.pick(['1.2.3.4', 'garbage', '', '::1, 10.0.0.1'])]);
  if (r.chance(0.03)) headers.push(['Expect', '100-continue']);
  const length = encoded.body.length;
  const lie = r.int(100);
  let mayDrop = false;
  let chunked = false;
  if (lie < 6) {
    headers.push(['Content-Length', String(length + 1 + r.int(1000))]);
    mayDrop = true;
  } else if (lie < 10 && length > 0) {
    // Shorter than sent: the rest reads as a second, malformed request on the same connection.
    headers.push(['Content-Length', String(r.int(length))]);
    mayDrop = true;
  } else if (lie < 13) {
    headers.push(['Content-Length', String(length)], ['Content-Length', String(length + 1)]);
    mayDrop = true;
  } else if (lie < 16) headers.push(['Content-Length', r.pick(['-1', 'abc', '1e3', ' 12', '0x10', '99999999999999999999'])]), (mayDrop = true);
  else if (lie < 25) chunked = true;
  else headers.push(['Content-Length', String(length)]);
  return { request: { method, path, headers, body: encoded.body, chunked, halfClose: mayDrop, timeoutMs: 10_000 }, mayDrop };
}
