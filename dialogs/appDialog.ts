// "My ESR app": the steps from the Trust's guide to download the app and sign in.
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { infoCard } from '../cards/cards.js';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import { sendCard } from './replies.js';

export class AppDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('app', deps);
    this.addDialog(new WaterfallDialog('app.steps', [this.#steps.bind(this)]));
    this.initialDialogId = 'app.steps';
  }

  async #steps(step: WaterfallStepContext) {
    const c = this.deps.content;
    const steps = c.list('app.steps').map((s, i) => `${i + 1}. ${s}`);
    await sendCard(step.context, infoCard(c, { title: c.t('app.title'), intro: c.t('app.intro'), items: steps, footer: c.t('app.footer'), next: ['register', 'forgotPassword'] }));
    return step.endDialog();
  }
}
