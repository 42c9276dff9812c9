// Set up ESR from home, as ESR really does it: once, at work, logged in with an NHS smartcard (Manage
// Internet Access, note the username, a password typed twice, Request Internet Access, status Approved).
// The bot shows the person's usernames from the directory and the steps; nothing is typed into the bot.
import { WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { GuidedStepData } from '../cards/guidedCards.js';
import type { StaffGroup } from '../esr/types.js';
import type { Content } from '../content/content.js';
import type { DialogDeps } from './deps.js';
import type { DidntWorkOptions } from './didntWorkDialog.js';
import { GuidedFlowDialog } from './guidedFlowDialog.js';
import { whoIs, youLine, type Who } from './guidedSupport.js';

const MAIN = 'register.guided';
const GROUP_NOTE: Record<StaffGroup, 'guided.register.substantive' | 'guided.register.bank' | 'guided.register.ifm' | 'guided.register.leadEmployer'> = {
  substantive: 'guided.register.substantive',
  bank: 'guided.register.bank',
  ifm: 'guided.register.ifm',
  lead_employer_doctor: 'guided.register.leadEmployer',
};

export class GuidedRegisterDialog extends GuidedFlowDialog {
  constructor(deps: DialogDeps) {
    super('register', deps);
    this.addDialog(new WaterfallDialog(MAIN, [this.#start.bind(this), async (step) => step.endDialog(step.result)]));
    this.initialDialogId = MAIN;
  }

  async #start(step: WaterfallStepContext) {
    const who = await whoIs(this.deps, step.context);
    return who.accounts.length === 0 ? this.notInDirectory(step) : this.beginSteps(step);
  }

  protected stepCards(c: Content, who: Who): GuidedStepData[] {
    // Bank, iFM and lead employer guidance, once for each kind of assignment they hold.
    const groups = [...new Set(who.accounts.map((a) => a.record.staffGroup))];
    return [
      { title: c.t('guided.register.title'), paragraphs: [youLine(c, who), c.t('guided.register.smartcard'), ...groups.map((g) => c.t(GROUP_NOTE[g])), c.t('guided.register.alreadySetUp')], next: ['forgotPassword'] },
      { title: c.t('guided.register.stepsTitle'), items: this.#steps(c, who.orgCode), footer: c.t('guided.register.noSmartcard') },
      { title: c.t('guided.register.rulesTitle'), paragraphs: [c.t('guided.register.rulesIntro')], items: c.list('guided.register.rules').map((r) => `• ${r}`) },
    ];
  }

  protected finishCard(c: Content): GuidedStepData {
    return { title: c.t('guided.register.finishedTitle'), paragraphs: [c.t('guided.register.finished')], next: ['app', 'forgotPassword'] };
  }

  protected failure(c: Content, _who: Who, index: number): Omit<DidntWorkOptions, 'flow' | 'step'> {
    return {
      messages: [
        { id: 'noSmartcard', kind: 'internet_access' },
        { id: 'noManageInternet', kind: 'internet_access' },
        { id: 'passwordRefused', kind: 'internet_access' },
        { id: 'locked', kind: 'unlock' },
        { id: 'inactive', kind: 'reactivate' },
        { id: 'own', kind: 'internet_access' },
      ],
      tried: [c.t('tasks.tried.followedRegister'), c.t('guided.stepOf', { step: index + 1, steps: 3 })],
    };
  }

  protected generalSteps(c: Content): string[] {
    return this.#steps(c, c.fill('{orgCode}'));
  }

  #steps(c: Content, orgCode: string): string[] {
    return c.list('guided.register.steps', { orgCode }).map((s, i) => `${i + 1}. ${s}`);
  }
}
