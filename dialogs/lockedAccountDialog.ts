// Locked or inactive ESR account: only the Trust's ESR user administrators can unlock or reactivate one.
// The bot already knows who is asking from their Teams sign-in, so it asks only which it is, then raises
// the task (through the Trust's automation first, where there is one) and says what happens next.
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import { TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { guidedStepCard } from '../cards/guidedCards.js';
import { asAttachment } from '../cards/render.js';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import { choiceValidator, sendTaskOutcome, whoIs, youLine } from './guidedSupport.js';
import { NOT_IN_DIRECTORY, NotInDirectoryDialog, type NotInDirectoryOptions } from './notInDirectoryDialog.js';

const MAIN = 'unlock.guided';
const WHICH = 'unlock.which';

export class LockedAccountDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('unlock', deps);
    this.addDialog(new TextPrompt(WHICH, choiceValidator((prompt) => this.#choices(prompt.context))));
    this.addDialog(new NotInDirectoryDialog(deps));
    this.addDialog(new WaterfallDialog(MAIN, [this.#ask.bind(this), this.#raise.bind(this)]));
    this.initialDialogId = MAIN;
    this.stepHelp.set(WHICH, 'guided.unlock.ask');
    this.stepHelp.set(NOT_IN_DIRECTORY, 'guided.help');
  }

  #choices(context: TurnContext) {
    const c = this.deps.content(context);
    return [
      { label: c.t('guided.unlock.locked'), value: 'locked' },
      { label: c.t('guided.unlock.inactive'), value: 'inactive' },
      { label: c.t('guided.unlock.notSure'), value: 'not sure' },
    ];
  }

  async #ask(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const who = await whoIs(this.deps, step.context);
    if (who.accounts.length === 0) {
      return step.beginDialog(NOT_IN_DIRECTORY, { flow: this.flow, general: [c.t('guided.unlock.notInDirectory')] } satisfies NotInDirectoryOptions);
    }
    const card = guidedStepCard(c, { title: c.t('guided.unlock.title'), paragraphs: [youLine(c, who)], question: c.t('guided.unlock.ask'), choices: this.#choices(step.context) });
    return step.prompt(WHICH, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('guided.chooseButton') });
  }

  async #raise(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const answer = step.result as string | undefined;
    if (answer === undefined) return step.endDialog();
    // "Not sure" is treated as locked: unlocking is what ESR's administrators try first either way.
    const kind = answer === 'inactive' ? 'reactivate' : 'unlock';
    const outcome = await this.deps.desk.raiseAdminTask(step.context, {
      kind,
      tried: [c.t('tasks.tried.chose', { action: c.t(`tasks.actions.${kind}`) })],
      ...(answer === 'not sure' ? { esrSaid: c.t('guided.unlock.notSure') } : {}),
      screenshots: [],
      context: { flow: this.flow, step: WHICH },
    });
    await sendTaskOutcome(this.deps, step.context, kind, outcome);
    return step.endDialog();
  }
}
