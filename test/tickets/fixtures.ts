// Shared by the tickets tests: image headers built byte by byte, and a TicketService over the real lowdb
// ticket store, file screenshot store and JSONL audit log in a temp folder, with a ManualClock.
//
//   let h: TicketHarness;
//   beforeEach(async () => (h = await createTicketHarness()));
//   afterEach(() => h.cleanup());
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../core/clock.js';
import { FileScreenshotStore } from '../../storage/fileScreenshotStore.js';
import { JsonlAuditLog } from '../../storage/jsonlAuditLog.js';
import { LowdbTicketStore } from '../../storage/lowdbTicketStore.js';
import type { ScreenshotStore, TicketStore } from '../../tickets/ports.js';
import { TicketService, type NewTicket } from '../../tickets/ticketService.js';
import type { Agent, Requester, Ticket } from '../../tickets/types.js';

// ----------------------------------------------------------------------------------- image headers

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4) /* CRC, not checked */]);
}

/** PNG signature and an IHDR chunk for a 1×1 RGBA image, then `extra` bytes. */
export function pngBytes(extra = 64): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), Buffer.alloc(extra, 7)]);
}

/** JPEG start of image and a JFIF APP0 segment. */
export function jpegBytes(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
    Buffer.alloc(32, 1),
  ]);
}

/** GIF87a or GIF89a header and logical screen descriptor for 1×1. */
export function gifBytes(version: '87a' | '89a' = '89a'): Buffer {
  return Buffer.concat([Buffer.from(`GIF${version}`, 'latin1'), Buffer.from([0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]), Buffer.alloc(16, 2)]);
}

/** RIFF container with its size, the WEBP form type and a VP8L chunk header. */
export function webpBytes(): Buffer {
  const body = Buffer.concat([Buffer.from('WEBPVP8L', 'latin1'), Buffer.from([0x0a, 0, 0, 0, 0x2f, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body]);
}

// ----------------------------------------------------------------------------------- people

export const AISHA: Requester = {
  teamsUserId: '29:1aisha',
  entraObjectId: '11111111-1111-4111-8111-111111111111',
  name: 'Aisha Shah',
  email: 'aisha.shah@nhs-trust.example',
  esrUsernames: ['241ASHAH01'],
  staffGroup: 'substantive',
};

export const MORGAN: Requester = {
  teamsUserId: '29:1morgan',
  name: 'Morgan Price-Jones',
  esrUsernames: ['241MPRICEJONES01', '241MPRICEJONES02'],
};

export const SAM: Agent = { id: 'agent-sam', name: 'Sam Agent' };
export const RIA: Agent = { id: 'agent-ria', name: 'Ria Agent' };
export const JO: Agent = { id: 'agent-jo', name: 'Jo Agent' };

export function conversationOf(requester: Requester): Record<string, unknown> {
  return {
    conversation: { id: `a:conv-${requester.teamsUserId}`, conversationType: 'personal', tenantId: 'tenant' },
    user: { id: requester.teamsUserId, name: requester.name },
    bot: { id: '28:bot', name: 'ESR Helpdesk' },
    serviceUrl: 'https://smba.trafficmanager.net/uk/',
    channelId: 'msteams',
  };
}

/** A stored ticket as the stores keep it: open, from Aisha, at 10am on 5 January 2026. */
export function ticketOf(id: number, version = 1, changes: Partial<Ticket> = {}): Ticket {
  const at = '2026-01-05T10:00:00.000Z';
  return {
    id,
    ref: `ESR-${String(id).padStart(5, '0')}`,
    status: 'open',
    category: 'login',
    description: 'I cannot log in',
    requester: AISHA,
    context: {},
    screenshots: [],
    live: false,
    wantsPerson: false,
    createdAt: at,
    updatedAt: at,
    transcript: [],
    version,
    userConversation: conversationOf(AISHA),
    events: [{ at, action: 'created', by: 'user' }],
    ...changes,
  };
}

export function newTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  const requester = overrides.requester ?? AISHA;
  return {
    requester,
    category: 'login',
    description: 'I cannot log in to ESR from home',
    userConversation: conversationOf(requester),
    ...overrides,
  };
}

// ----------------------------------------------------------------------------------- harness

export interface TicketHarness {
  dir: string;
  clock: ManualClock;
  service: TicketService;
  tickets: LowdbTicketStore;
  screenshots: FileScreenshotStore;
  audit: JsonlAuditLog;
  /** The screenshot folder. */
  screenshotDir: string;
  /** A new service over stores opened afresh from the same files, as after a restart. */
  restart(): Promise<TicketService>;
  /** A service over the same clock and audit but other stores (to inject failures). */
  serviceWith(stores: { tickets?: TicketStore; screenshots?: ScreenshotStore }): TicketService;
  cleanup(): Promise<void>;
}

/** Monday 5 January 2026, 10:00 GMT. */
export const MONDAY_10AM = '2026-01-05T10:00:00Z';

export async function createTicketHarness(): Promise<TicketHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'esr-tickets-'));
  const clock = new ManualClock(MONDAY_10AM);
  const ticketsFile = join(dir, 'tickets.json');
  const screenshotDir = join(dir, 'screenshots');
  const tickets = await LowdbTicketStore.open(ticketsFile);
  const screenshots = await FileScreenshotStore.open(screenshotDir);
  const audit = await new JsonlAuditLog(join(dir, 'audit.jsonl')).init();
  const make = (t: TicketStore, s: ScreenshotStore) => new TicketService({ clock, tickets: t, screenshots: s, audit, timeZone: 'Europe/London' });
  return {
    dir,
    clock,
    service: make(tickets, screenshots),
    tickets,
    screenshots,
    audit,
    screenshotDir,
    restart: async () => make(await LowdbTicketStore.open(ticketsFile), await FileScreenshotStore.open(screenshotDir)),
    serviceWith: (stores) => make(stores.tickets ?? tickets, stores.screenshots ?? screenshots),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to be rejected');
}
