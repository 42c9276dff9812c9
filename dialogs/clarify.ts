// The questions the router asks instead of guessing: "did you mean…" between close answers, and "which do you
// not remember?" after an "invalid username or password". Also where what was missed is written down.
import type { TurnContext } from 'botbuilder-core';
import { clarifyCard, type ClarifyChoice } from '../cards/cards.js';
import type { CardJson } from '../cards/render.js';
import type { TextKey } from '../content/content.js';
import { WHICH_CHOICES } from '../understanding/diagnosis.js';
import type { MissedKind } from '../understanding/missed.js';
import { redact } from '../understanding/redact.js';
import type { DialogDeps } from './deps.js';
import { FAQ_PREFIX, isFlowId } from './flowIds.js';

/** The "Something else" button's choice. */
export const SOMETHING_ELSE = 'somethingElse';

/** A flow's menu label, or a common question's title. */
export function intentLabel(deps: DialogDeps, context: TurnContext, intent: string): string {
  if (isFlowId(intent)) return deps.content(context).t(`menu.flows.${intent}.label`);
  const id = intent.startsWith(FAQ_PREFIX) ? intent.slice(FAQ_PREFIX.length) : intent;
  return deps.faq(context).entries.find((e) => e.id === id)?.title ?? intent;
}

export function didYouMeanCard(deps: DialogDeps, context: TurnContext, candidates: string[], typed: string): CardJson {
  const c = deps.content(context);
  const said = redact(typed);
  const choices: ClarifyChoice[] = [
    ...candidates.map((intent) => ({ label: intentLabel(deps, context, intent), action: 'didYouMean' as const, choice: intent, said })),
    { label: c.t('understanding.didYouMean.somethingElse'), action: 'didYouMean', choice: SOMETHING_ELSE, said },
  ];
  return clarifyCard({ title: c.t('understanding.didYouMean.title'), text: c.t('understanding.didYouMean.text'), choices, fallback: c.t('understanding.didYouMean.fallback', { choices: choices.slice(0, -1).map((ch) => ch.label).join(', ') }) });
}

export function whichCard(deps: DialogDeps, context: TurnContext): CardJson {
  const c = deps.content(context);
  const choices: ClarifyChoice[] = WHICH_CHOICES.map((w) => ({ label: c.t(`understanding.which.${w.id}` as TextKey), action: 'flow', flow: w.flow }));
  const title = c.t('understanding.which.title');
  return clarifyCard({ title, text: c.t('understanding.which.text'), choices, fallback: `${title} (${choices.map((ch) => ch.label).join(' / ')})` });
}

/** Keeps a missed or clarified message for the Trust, redacted; never worth failing a turn over. */
export function recordMissed(deps: DialogDeps, context: TurnContext, kind: MissedKind, typed: string, choice?: string): void {
  const text = redact(typed).trim();
  if (!text) return;
  deps.missed.record({ at: deps.clock.now().toISOString(), kind, key: deps.intents(context).keyOf(text), text, ...(choice ? { choice } : {}) }).catch(() => undefined);
}
