// Small helpers for sending what the content layer says, as text or as a card.
import type { Activity, TurnContext } from 'botbuilder-core';
import { MessageFactory } from 'botbuilder-core';
import { asAttachment, type CardJson } from '../cards/render.js';

export async function sendText(context: TurnContext, text: string): Promise<void> {
  await context.sendActivity(MessageFactory.text(text));
}

/** Sends a card; `summary` is what notifications and screen readers get when the card cannot show. */
export async function sendCard(context: TurnContext, card: CardJson): Promise<string | undefined> {
  const activity: Partial<Activity> = MessageFactory.attachment(asAttachment(card));
  if (typeof card.fallbackText === 'string') activity.summary = card.fallbackText.slice(0, 200);
  const response = await context.sendActivity(activity);
  return response?.id;
}
