// A prompt that waits for an Adaptive Card submit with a given `action` (the password form). Typed text
// is not an answer to it: the retry prompt says to use the card. The submitted values are handed to the
// next step in memory only; they never enter dialog state.
import type { Attachment, TurnContext } from 'botbuilder-core';
import { Prompt, type PromptOptions, type PromptRecognizerResult, type PromptValidator } from 'botbuilder-dialogs';

export type CardSubmit = Record<string, unknown> & { action: string };

export class CardSubmitPrompt extends Prompt<CardSubmit> {
  readonly #actions: readonly string[];

  constructor(dialogId: string, actions: readonly string[], validator?: PromptValidator<CardSubmit>) {
    super(dialogId, validator);
    this.#actions = actions;
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const message = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (message) await context.sendActivity(message);
  }

  protected onRecognize(context: TurnContext): Promise<PromptRecognizerResult<CardSubmit>> {
    const value = context.activity.value as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const action = (value as { action?: unknown }).action;
      if (typeof action === 'string' && this.#actions.includes(action)) {
        return Promise.resolve({ succeeded: true, value: value as CardSubmit });
      }
    }
    return Promise.resolve({ succeeded: false });
  }
}

/** Replaces a card the user has submitted with a read-only one, so no typed value lingers on screen. */
export async function replaceCard(context: TurnContext, activityId: string | undefined, attachment: Attachment): Promise<void> {
  const id = activityId ?? context.activity.replyToId;
  if (!id) return;
  try {
    await context.updateActivity({ id, type: 'message', attachments: [attachment] });
  } catch {
    // The card may be too old to edit or the channel may not allow it; the values were cleared by Teams anyway.
  }
}

/** What any message carried: its text and how many attachments. */
export interface AnyMessage {
  text: string;
  attachments: number;
}

/** A prompt that takes whatever comes next, text or attachments (for collecting screenshots). */
export class AnyMessagePrompt extends Prompt<AnyMessage> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected async onPrompt(context: TurnContext, _state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const message = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (message) await context.sendActivity(message);
  }

  protected onRecognize(context: TurnContext): Promise<PromptRecognizerResult<AnyMessage>> {
    const a = context.activity;
    const attachments = (a.attachments ?? []).filter((x) => x.contentType !== 'text/html').length;
    if (a.type !== 'message' || (!a.text?.trim() && attachments === 0)) return Promise.resolve({ succeeded: false });
    return Promise.resolve({ succeeded: true, value: { text: (a.text ?? '').trim(), attachments } });
  }
}
