// Proactive sends (into a conversation the bot is not answering right now), with failures that reach the
// caller: the adapter hands an error thrown inside `logic` to onTurnError, which swallows it (and tries to
// tell that conversation "something went wrong"), so a 403 or 429 would look delivered. Caught and rethrown.
import type { CloudAdapter } from 'botbuilder';
import type { ConversationReference, TurnContext } from 'botbuilder-core';

export async function continueConversation(
  adapter: CloudAdapter,
  appId: string,
  reference: Partial<ConversationReference> | Record<string, unknown>,
  logic: (context: TurnContext) => Promise<void>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  await adapter.continueConversationAsync(appId, reference, async (context) => {
    try {
      await logic(context);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw failure.error;
}
