// When a Teams sign-in matches no one in the staff directory: say so plainly, still give the general
// steps, and offer to ask the workforce team to check the record, rather than a dead end.
import { MessageFactory } from 'botbuilder-core';
import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { guidedStepCard } from '../cards/guidedCards.js';
import { asAttachment } from '../cards/render.js';
import type { DialogDeps } from './deps.js';
import { choiceValidator, sendTaskOutcome, teamsDescription, whoIs, yesNo } from './guidedSupport.js';
import { sendText } from './replies.js';

export const NOT_IN_DIRECTORY = 'guided.notInDirectory';
const ASK = 'guided.notInDirectory.ask';
const STEPS = 'guided.notInDirectory.steps';

export interface NotInDirectoryOptions {
  flow: string;
  /** The general steps of the flow they asked for, without anything from a staff record. */
  general: string[];
}

export class NotInDirectoryDialog extends ComponentDialog {
  readonly #deps: DialogDeps;

  constructor(deps: DialogDeps) {
    super(NOT_IN_DIRECTORY);
    this.#deps = deps;
    this.addDialog(new TextPrompt(ASK, choiceValidator((prompt) => yesNo(deps.content(prompt.context)))));
    this.addDialog(new WaterfallDialog(STEPS, [this.#explain.bind(this), this.#raise.bind(this)]));
    this.initialDialogId = STEPS;
  }

  async #explain(step: WaterfallStepContext<NotInDirectoryOptions>) {
    const c = this.#deps.content(step.context);
    const who = await whoIs(this.#deps, step.context);
    const card = guidedStepCard(c, {
      title: c.t('guided.notInDirectory.title'),
      paragraphs: [c.t('guided.notInDirectory.intro', { who: teamsDescription(who) }), c.t('guided.notInDirectory.general')],
      items: step.options.general,
      question: c.t('guided.notInDirectory.offer'),
      choices: yesNo(c, c.t('guided.notInDirectory.askTeam'), c.t('guided.notInDirectory.noThanks')),
    });
    return step.prompt(ASK, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('guided.chooseButton') });
  }

  async #raise(step: WaterfallStepContext<NotInDirectoryOptions>) {
    const c = this.#deps.content(step.context);
    if (step.result !== 'yes') {
      await sendText(step.context, c.t('guided.notInDirectory.declined'));
      return step.endDialog();
    }
    const outcome = await this.#deps.desk.raiseAdminTask(step.context, {
      kind: 'other',
      tried: [c.t('tasks.tried.notInDirectory')],
      screenshots: [],
      context: { flow: step.options.flow, step: NOT_IN_DIRECTORY },
    });
    await sendTaskOutcome(this.#deps, step.context, 'other', outcome);
    return step.endDialog();
  }
}
