// Fills the state store the bot will use with conversations as the helpdesk leaves them, through the real
// store's write, before the bot starts: each person's personal conversation half-way through the "get the
// app" flow (its dialog stack, about 2 KB, as a real turn stores it) and their welcome mark. Then opens the
// store again and reports how long that took: the state part of the bot's start-up.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LowdbVersionedStore } from '../storage/lowdbVersionedStore.js';
import type { Stores } from '../storage/openStores.js';

export interface StoredConversation {
  conversationId: string;
  aadObjectId: string;
}

const PHONE_CARD = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  fallbackText: 'Which kind of phone or tablet do you have? (iPhone or iPad / Android)',
  speak: 'Which kind of phone or tablet do you have?',
  body: [
    { type: 'TextBlock', text: 'Get the My ESR app', style: 'heading', size: 'Medium', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: 'Which kind of phone or tablet do you have?', wrap: true },
    {
      type: 'ActionSet',
      actions: [
        { type: 'Action.Submit', title: 'iPhone or iPad', data: { action: 'choose', choice: 'iphone', msteams: { type: 'messageBack', displayText: 'iPhone or iPad', text: 'iphone' } } },
        { type: 'Action.Submit', title: 'Android', data: { action: 'choose', choice: 'android', msteams: { type: 'messageBack', displayText: 'Android', text: 'android' } } },
      ],
    },
  ],
};

/**
 * The conversation state a real turn stores after "how do I get the app" (captured from the helpdesk; each
 * dialog's `version` sits beside its `state`). test/bench/benchSessions.test.ts checks it still is.
 */
export function appFlowState(i: number): Record<string, unknown> {
  const id = (n: number) => `00000000-0000-4000-8000-${String(i * 2 + n).padStart(12, '0')}`;
  return {
    dialogState: {
      dialogStack: [
        {
          id: 'main',
          state: {
            dialogs: {
              dialogStack: [
                { id: 'main.route', state: { options: {}, values: { instanceId: id(0), flow: 'app' }, stepIndex: 0 } },
                {
                  id: 'app',
                  state: {
                    dialogs: {
                      dialogStack: [
                        { id: 'app.steps', state: { options: {}, values: { instanceId: id(1) }, stepIndex: 0 } },
                        {
                          id: 'app.phone',
                          state: {
                            options: {
                              prompt: { type: 'message', attachmentLayout: 'list', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: PHONE_CARD }], inputHint: 'acceptingInput' },
                              retryPrompt: 'Please choose iPhone or Android from the card, or type iphone or android.',
                            },
                            state: {},
                          },
                        },
                      ],
                    },
                  },
                  version: '-461165775',
                },
              ],
            },
          },
          version: '-1400409332',
        },
      ],
    },
  };
}

/**
 * Writes the conversations through the bot's own state store (`stores.state`: the journal in DATA_DIR/state, or
 * PostgreSQL), in batches, and claims each person's welcome mark as the bot does. Returns how long opening the
 * filled store again takes, in ms: the state part of the bot's start-up (the journal is read into memory; a
 * database store opens nothing, so that is about 0).
 */
export async function storeConversations(stores: Stores, dataDir: string, conversations: StoredConversation[]): Promise<{ openMs: number }> {
  const store = stores.state;
  for (let from = 0; from < conversations.length; from += 1000) {
    const batch = conversations.slice(from, from + 1000);
    await store.write(batch.map((c, k) => ({ key: `msteams/conversations/${c.conversationId}`, value: appFlowState(from + k) })));
    // In small groups, so a database sees a few claims at a time rather than a thousand at once.
    for (let at = 0; at < batch.length; at += 50) await Promise.all(batch.slice(at, at + 50).map((c) => store.claimOnce(`welcome:msteams:${c.aadObjectId}`)));
  }
  const started = performance.now();
  if (stores.description === 'embedded store') await LowdbVersionedStore.open(join(dataDir, 'state'));
  return { openMs: performance.now() - started };
}
