// Sends activities to the bot's real HTTP endpoint as a Teams user in a personal chat would, and reads
// the replies back from the capture connector.
import type { CaptureConnector, CapturedCall } from './captureConnector.js';

export interface TeamsUserOptions {
  botUrl: string;
  connector: CaptureConnector;
  userId: string;
  aadObjectId?: string;
  name?: string;
  conversationId?: string;
}

let counter = 0;

export class TeamsUser {
  readonly options: TeamsUserOptions;
  readonly conversationId: string;

  constructor(options: TeamsUserOptions) {
    this.options = options;
    this.conversationId = options.conversationId ?? `a:personal-${options.userId}-${++counter}`;
  }

  activity(fields: Record<string, unknown>): Record<string, unknown> {
    const o = this.options;
    return {
      type: 'message',
      id: `in-${++counter}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: o.connector.url,
      from: { id: o.userId, name: o.name ?? 'Test User', ...(o.aadObjectId ? { aadObjectId: o.aadObjectId } : {}) },
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
      channelData: { tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      ...fields,
    };
  }

  /** Posts one activity; resolves with the HTTP status once the bot has finished the turn. */
  async post(fields: Record<string, unknown>): Promise<number> {
    const res = await fetch(`${this.options.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.activity(fields)),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** Says something and returns what the bot sent back during that turn. */
  async say(text: string): Promise<CapturedCall[]> {
    return this.#turn({ text });
  }

  /** Says something from a Teams client in another language (`activity.locale`). */
  async submitText(text: string, locale: string): Promise<CapturedCall[]> {
    return this.#turn({ text, locale });
  }

  /** Clicks a card button from a Teams client in another language. */
  async submitValue(value: Record<string, unknown>, locale: string): Promise<CapturedCall[]> {
    return this.#turn({ value, locale });
  }

  /** Clicks a card button or submits a card (Action.Submit data arrives as `value`). */
  async submit(value: Record<string, unknown>, text = ''): Promise<CapturedCall[]> {
    return this.#turn({ value, ...(text ? { text } : {}) });
  }

  async #turn(fields: Record<string, unknown>): Promise<CapturedCall[]> {
    const before = this.options.connector.activitiesFor(this.conversationId).length;
    const status = await this.post(fields);
    if (status >= 300) throw new Error(`bot answered HTTP ${status}`);
    return this.options.connector.activitiesFor(this.conversationId).slice(before);
  }
}

/** The text of a reply, or of the card it carries (title and text blocks), for assertions. */
export function replyText(call: CapturedCall): string {
  const parts: string[] = [];
  if (typeof call.body.text === 'string') parts.push(call.body.text);
  const attachments = (call.body.attachments ?? []) as Array<{ content?: unknown }>;
  for (const a of attachments) collectText(a.content, parts);
  return parts.join('\n');
}

function collectText(node: unknown, out: string[]): void {
  if (Array.isArray(node)) node.forEach((n) => collectText(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.text === 'string' && o.type === 'TextBlock') out.push(o.text);
    if (typeof o.title === 'string' && typeof o.type === 'string' && o.type.startsWith('Action.')) out.push(o.title);
    for (const [k, v] of Object.entries(o)) if (k !== 'text' && k !== 'title') collectText(v, out);
  }
}

/** The Adaptive Card in a reply, if any. */
export function cardOf(call: CapturedCall): Record<string, unknown> | undefined {
  const attachments = (call.body.attachments ?? []) as Array<{ contentType?: string; content?: Record<string, unknown> }>;
  return attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** Every input element (Input.Text, Input.ChoiceSet, ...) in the cards of these replies. */
export function inputsIn(calls: CapturedCall[]): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith('Input.')) found.push(o);
      Object.values(o).forEach(visit);
    }
  };
  calls.forEach((c) => visit(cardOf(c)));
  return found;
}
