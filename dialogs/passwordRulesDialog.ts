// "Password rules": the ESR password policy, with the way to set or reset a password next. Against the
// real ESR these are ESR's own rules (ESR checks them); the training copy shows its own, stricter policy.
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { infoCard, passwordRulesCard } from '../cards/cards.js';
import { againstRealEsr, type DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import { sendCard } from './replies.js';

export class PasswordRulesDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('passwordRules', deps);
    this.addDialog(new WaterfallDialog('passwordRules.show', [this.#show.bind(this)]));
    this.initialDialogId = 'passwordRules.show';
  }

  async #show(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    if (againstRealEsr(this.deps.settings)) {
      await sendCard(step.context, infoCard(c, { title: c.t('password.rulesTitle'), items: c.list('guided.register.rules').map((rule) => `• ${rule}`), footer: c.t('guided.register.rulesFooter'), next: ['register', 'forgotPassword'] }));
      return step.endDialog({ selfServed: true });
    }
    const { minLength, maxLength, historySize } = this.deps.esr.policy.options;
    await sendCard(step.context, passwordRulesCard(this.deps.content(step.context), { minLength, maxLength, historySize }, ['register', 'forgotPassword']));
    return step.endDialog({ selfServed: true });
  }
}
