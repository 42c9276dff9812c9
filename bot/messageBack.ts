// Card buttons are Action.Submit with `msteams.type: "messageBack"`: Teams sends the button's `text` as the
// message text (and the data as `value`), so prompts that read text just work. Microsoft's Teams emulator
// (Agents Playground) and other Bot Framework clients send the data alone, with no text, and every
// choice button then did nothing. Filling in the text Teams would have sent makes both behave the same.
import type { Activity } from 'botbuilder-core';

export function applyMessageBackText(activity: Pick<Activity, 'type' | 'text' | 'value'>): void {
  if (activity.type !== 'message' || activity.text?.trim()) return;
  const value = activity.value as { msteams?: { type?: unknown; text?: unknown } } | undefined;
  const msteams = value && typeof value === 'object' ? value.msteams : undefined;
  if (msteams?.type === 'messageBack' && typeof msteams.text === 'string' && msteams.text.trim()) activity.text = msteams.text;
}
