// "Speak to someone": opens a ticket for a person straight away (or reuses their open one), with the
// conversation so far as context, and tells them when to expect an answer.
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import type { FlowId } from './flowIds.js';
import { sendOutcome, type ReportOptions } from './reportDialog.js';
import { sendText } from './replies.js';

const CATEGORY_FROM_FLOW: Partial<Record<FlowId, 'login' | 'app'>> = { register: 'login', forgotPassword: 'login', forgotUsername: 'login', unlock: 'login', app: 'app' };

export class HumanDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('human', deps);
    this.addDialog(new WaterfallDialog('human.steps', [this.#open.bind(this)]));
    this.initialDialogId = 'human.steps';
  }

  async #open(step: WaterfallStepContext<ReportOptions>) {
    const c = this.deps.content(step.context);
    const fromFlow = step.options?.fromFlow;
    await sendText(step.context, c.t('report.humanIntro'));
    const outcome = await this.deps.desk.submit(step.context, {
      category: (fromFlow && CATEGORY_FROM_FLOW[fromFlow]) ?? 'other',
      description: c.t('report.humanDescription'),
      screenshots: [],
      context: fromFlow ? { flow: fromFlow, ...(step.options?.fromStep ? { step: step.options.fromStep } : {}) } : {},
      wantsPerson: true,
    });
    await sendOutcome(this.deps, step, outcome);
    return step.endDialog();
  }
}
