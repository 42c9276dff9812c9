// Tickets for the dashboard tests, made through the real TicketService, with a real (valid) PNG screenshot.
import { crc32, deflateSync } from 'node:zlib';
import type { TicketCategory, Ticket } from '../../tickets/types.js';
import type { TestApp } from './testApp.js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG of one colour (8-bit RGB), so a browser really draws it. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

export const AISHA = {
  teamsUserId: '29:aisha',
  entraObjectId: '11111111-1111-4111-8111-111111111111',
  name: 'Aisha Shah',
  email: 'aisha.shah@nhs-trust.example',
  esrUsernames: ['241ASHAH01'],
  staffGroup: 'substantive' as const,
};

export async function createTicket(
  t: TestApp,
  options: { description?: string; category?: TicketCategory; name?: string; userId?: string; screenshot?: boolean; organisationCode?: string } = {},
): Promise<Ticket> {
  const userId = options.userId ?? AISHA.teamsUserId;
  return t.app.tickets.create({
    requester: { ...AISHA, teamsUserId: userId, name: options.name ?? AISHA.name },
    category: options.category ?? 'login',
    ...(options.organisationCode ? { organisationCode: options.organisationCode } : {}),
    description: options.description ?? 'ESR says my account is locked',
    errorMessage: 'Your account has been locked',
    context: { flow: 'forgotPassword', step: 'dateOfBirth' },
    screenshots: options.screenshot ? [{ bytes: solidPng(48, 32, [0, 94, 184]), fileName: 'esr-error.png' }] : [],
    userConversation: { conversation: { id: `a:${userId}-personal` }, serviceUrl: t.connector.url, channelId: 'msteams', user: { id: userId }, bot: { id: '28:bot' } },
    transcript: [
      { from: 'user', name: options.name ?? AISHA.name, text: 'I cannot log in' },
      { from: 'bot', text: 'What is your date of birth?' },
    ],
  });
}
