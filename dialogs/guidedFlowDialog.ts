// The base of the guided flows (ESR_MODE guided or automation): a short run of cards, one step per card,
// each with "Done, what next?" and "That didn't work". Done moves on; the last Done ends the flow with
// what to do next; "That didn't work" becomes an ESR admin task with what they tried.
import { MessageFactory } from 'botbuilder-core';
import { TextPrompt, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { guidedStepCard, type GuidedStepData } from '../cards/guidedCards.js';
import { asAttachment } from '../cards/render.js';
import type { Content } from '../content/content.js';
import type { DialogDeps } from './deps.js';
import { DIDNT_WORK, DidntWorkDialog, type DidntWorkOptions } from './didntWorkDialog.js';
import { FlowDialog } from './flowDialog.js';
import type { FlowId } from './flowIds.js';
import { choiceValidator, doneChoices, whoIs, type Who } from './guidedSupport.js';
import { NOT_IN_DIRECTORY, NotInDirectoryDialog, type NotInDirectoryOptions } from './notInDirectoryDialog.js';
import { sendCard } from './replies.js';

interface LoopOptions {
  index: number;
}

export abstract class GuidedFlowDialog extends FlowDialog {
  protected readonly loopId: string;
  protected readonly answerId: string;

  constructor(flow: FlowId, deps: DialogDeps) {
    super(flow, deps);
    this.loopId = `${flow}.guidedStep`;
    this.answerId = `${flow}.guidedAnswer`;
    this.addDialog(new TextPrompt(this.answerId, choiceValidator((prompt) => doneChoices(deps.content(prompt.context)))));
    this.addDialog(new WaterfallDialog(this.loopId, [this.#show.bind(this), this.#answered.bind(this)]));
    this.addDialog(new DidntWorkDialog(deps));
    this.addDialog(new NotInDirectoryDialog(deps));
    this.stepHelp.set(this.answerId, 'guided.help');
    this.stepHelp.set(NOT_IN_DIRECTORY, 'guided.help');
    this.stepHelp.set(DIDNT_WORK, 'guided.help');
  }

  /** The cards of the flow, in order, for this person (without the Done / didn't work buttons). */
  protected abstract stepCards(c: Content, who: Who): GuidedStepData[];
  /** The card after the last Done: what to do next. */
  protected abstract finishCard(c: Content, who: Who): GuidedStepData;
  /** What "That didn't work" offers at step `index`, and what goes on the task. */
  protected abstract failure(c: Content, who: Who, index: number): Omit<DidntWorkOptions, 'flow' | 'step'>;

  /** For a sign-in that matches no staff record: the flow's general steps. */
  protected abstract generalSteps(c: Content): string[];

  protected beginSteps(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.beginDialog(this.loopId, { index: 0 } satisfies LoopOptions);
  }

  protected notInDirectory(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.beginDialog(NOT_IN_DIRECTORY, { flow: this.flow, general: this.generalSteps(this.deps.content(step.context)) } satisfies NotInDirectoryOptions);
  }

  async #show(step: WaterfallStepContext<LoopOptions>) {
    const c = this.deps.content(step.context);
    const cards = this.stepCards(c, await whoIs(this.deps, step.context));
    const { index } = step.options;
    const data = cards[index]!;
    const card = guidedStepCard(c, { ...data, ...(cards.length > 1 ? { progress: c.t('guided.stepOf', { step: index + 1, steps: cards.length }) } : {}), choices: doneChoices(c) });
    return step.prompt(this.answerId, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('guided.chooseButton') });
  }

  async #answered(step: WaterfallStepContext<LoopOptions>) {
    const who = await whoIs(this.deps, step.context);
    const { index } = step.options;
    if (step.result === 'didnt work') {
      return step.replaceDialog(DIDNT_WORK, { flow: this.flow, step: `${this.loopId}.${index + 1}`, ...this.failure(this.deps.content(step.context), who, index) } satisfies DidntWorkOptions);
    }
    if (index + 1 < this.stepCards(this.deps.content(step.context), who).length) return step.replaceDialog(this.loopId, { index: index + 1 } satisfies LoopOptions);
    await sendCard(step.context, guidedStepCard(this.deps.content(step.context), this.finishCard(this.deps.content(step.context), who)));
    return step.endDialog({ selfServed: true });
  }
}
