// "Password rules": the ESR password policy, with the way to set or reset a password next.
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { passwordRulesCard } from '../cards/cards.js';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import { sendCard } from './replies.js';

export class PasswordRulesDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('passwordRules', deps);
    this.addDialog(new WaterfallDialog('passwordRules.show', [this.#show.bind(this)]));
    this.initialDialogId = 'passwordRules.show';
  }

  async #show(step: WaterfallStepContext) {
    const { minLength, maxLength, historySize } = this.deps.esr.policy.options;
    await sendCard(step.context, passwordRulesCard(this.deps.content(step.context), { minLength, maxLength, historySize }, ['register', 'forgotPassword']));
    return step.endDialog({ selfServed: true });
  }
}
