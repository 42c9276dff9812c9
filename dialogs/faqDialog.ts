// "Common questions": answers from the FAQ content file. A question typed anywhere goes straight to its
// answer; from the menu, the topics are offered as buttons.
import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import { choiceCard, infoCard } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import type { FaqEntry } from '../content/faq.js';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import { FAQ_PREFIX } from './flowIds.js';
import { sendCard } from './replies.js';

const TOPIC = 'faq.topic';
const STEPS = 'faq.steps';

export interface FaqOptions {
  topic?: string;
}

export class FaqDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('faq', deps);
    this.addDialog(new TextPrompt(TOPIC, this.#validateTopic.bind(this)));
    this.addDialog(new WaterfallDialog(STEPS, [this.#pick.bind(this), this.#answer.bind(this)]));
    this.initialDialogId = STEPS;
    this.stepHelp.set(TOPIC, 'faq.help');
  }

  #entry(context: TurnContext, id: string | undefined): FaqEntry | undefined {
    return id ? this.deps.faq(context).entries.find((e) => e.id === id) : undefined;
  }

  async #pick(step: WaterfallStepContext<FaqOptions>) {
    if (this.#entry(step.context, step.options?.topic)) return step.next(step.options.topic);
    const c = this.deps.content(step.context);
    const card = choiceCard({ title: c.t('faq.title'), text: c.t('faq.pick'), choices: this.deps.faq(step.context).entries.map((e) => ({ label: e.title, value: e.title })) });
    return step.prompt(TOPIC, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('faq.notFound') });
  }

  async #answer(step: WaterfallStepContext) {
    const entry = this.#entry(step.context, String(step.result));
    if (!entry) return step.endDialog();
    const c = this.deps.content(step.context);
    const paragraphs = c.fill(entry.answer).split(/\n{2,}/);
    await sendCard(step.context, infoCard(c, { title: entry.title, items: paragraphs, next: entry.next ?? [] }));
    return step.endDialog({ selfServed: true });
  }

  // A topic button, the topic's title typed, or a question that matches one topic's phrases.
  async #validateTopic(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const typed = (prompt.recognized.value ?? '').trim().toLowerCase();
    const byTitle = this.deps.faq(prompt.context).entries.find((e) => e.title.toLowerCase() === typed);
    const match = this.deps.intents(prompt.context).recognise(typed);
    const id = byTitle?.id ?? (match?.intent.startsWith(FAQ_PREFIX) ? match.intent.slice(FAQ_PREFIX.length) : undefined);
    if (!id) return Promise.resolve(false);
    prompt.recognized.value = id;
    return Promise.resolve(true);
  }
}
