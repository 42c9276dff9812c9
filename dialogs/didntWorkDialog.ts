// "That didn't work", from any step of a guided flow: what ESR said (the usual messages as buttons, or
// their own words), a screenshot if they have one, then an ESR admin task with what they tried.
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { choiceCard } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import type { AdminTaskKind } from '../tickets/types.js';
import type { DialogDeps, PendingScreenshot } from './deps.js';
import { choiceValidator, sendTaskOutcome } from './guidedSupport.js';
import { AnyMessagePrompt, type AnyMessage } from './prompts.js';
import { sendText } from './replies.js';

export const DIDNT_WORK = 'guided.didntWork';

export type EsrMessage = 'noEmail' | 'detailsWrong' | 'locked' | 'inactive' | 'linkExpired' | 'noManageInternet' | 'noSmartcard' | 'passwordRefused' | 'own';

export interface DidntWorkOptions {
  flow: string;
  /** Where they were (the step's id), for the task. */
  step: string;
  /** The usual messages to offer, each with the task it becomes. */
  messages: Array<{ id: EsrMessage; kind: AdminTaskKind }>;
  tried: string[];
}

interface Values {
  message?: EsrMessage;
  esrSaid?: string;
}

const ASK = 'guided.didntWork.ask';
const OWN = 'guided.didntWork.own';
const SHOT = 'guided.didntWork.screenshot';
const STEPS = 'guided.didntWork.steps';

export class DidntWorkDialog extends ComponentDialog {
  readonly #deps: DialogDeps;

  constructor(deps: DialogDeps) {
    super(DIDNT_WORK);
    this.#deps = deps;
    this.addDialog(new TextPrompt(ASK, choiceValidator((p) => this.#choices(p.context, (p.options as { validations?: DidntWorkOptions }).validations?.messages ?? []))));
    this.addDialog(new TextPrompt(OWN));
    this.addDialog(new AnyMessagePrompt(SHOT));
    this.addDialog(new WaterfallDialog(STEPS, [this.#ask.bind(this), this.#ownWords.bind(this), this.#askScreenshot.bind(this), this.#raise.bind(this)]));
    this.initialDialogId = STEPS;
  }

  #choices(context: TurnContext, messages: DidntWorkOptions['messages']) {
    const c = this.#deps.content(context);
    return messages.map((m) => ({ label: c.t(`guided.failed.messages.${m.id}`), value: m.id }));
  }

  async #ask(step: WaterfallStepContext<DidntWorkOptions>) {
    const c = this.#deps.content(step.context);
    const card = choiceCard({ text: c.t('guided.failed.ask'), choices: this.#choices(step.context, step.options.messages) });
    return step.prompt(ASK, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('guided.chooseButton'), validations: step.options });
  }

  async #ownWords(step: WaterfallStepContext<DidntWorkOptions>) {
    const values = step.values as Values;
    values.message = step.result as EsrMessage;
    if (values.message !== 'own') {
      values.esrSaid = this.#deps.content(step.context).t(`guided.failed.messages.${values.message}`);
      return step.next();
    }
    return step.prompt(OWN, { prompt: this.#deps.content(step.context).t('guided.failed.askOwnWords') });
  }

  async #askScreenshot(step: WaterfallStepContext<DidntWorkOptions>) {
    const c = this.#deps.content(step.context);
    const values = step.values as Values;
    if (values.message === 'own') values.esrSaid = String(step.result ?? '').trim().slice(0, 2000);
    const card = choiceCard({ text: c.t('guided.failed.askScreenshot'), choices: [{ label: c.t('common.skip'), value: 'skip' }] });
    return step.prompt(SHOT, { prompt: MessageFactory.attachment(asAttachment(card)) });
  }

  async #raise(step: WaterfallStepContext<DidntWorkOptions>) {
    const c = this.#deps.content(step.context);
    const values = step.values as Values;
    const message = step.result as AnyMessage;
    let screenshots: PendingScreenshot[] = [];
    if (message.attachments > 0) {
      const { accepted, refused } = await this.#deps.desk.collectScreenshots(step.context, 0);
      screenshots = accepted;
      if (accepted.length === 0 && refused.length > 0) await sendText(step.context, c.t('guided.failed.noScreenshot'));
    }
    const kind = step.options.messages.find((m) => m.id === values.message)?.kind ?? 'other';
    const outcome = await this.#deps.desk.raiseAdminTask(step.context, {
      kind,
      tried: step.options.tried,
      ...(values.esrSaid ? { esrSaid: values.esrSaid } : {}),
      screenshots,
      context: { flow: step.options.flow, step: step.options.step },
    });
    await sendTaskOutcome(this.#deps, step.context, kind, outcome);
    return step.endDialog();
  }
}
