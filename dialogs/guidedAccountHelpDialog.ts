// Forgotten password or username, as ESR really does it: on ESR's own login page ("Forgotten | Request
// Username/Password | Unlock Account"), with work email and date of birth, and ESR emails a link. The
// usual reason it fails is an out-of-date email on the ESR record, so the bot shows the one on record
// (masked) first. It never asks for the date of birth: ESR does that, on its own page.
import { MessageFactory } from 'botbuilder-core';
import { TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { guidedStepCard, type GuidedStepData } from '../cards/guidedCards.js';
import { asAttachment } from '../cards/render.js';
import { maskEmail } from '../esr/maskEmail.js';
import type { Content } from '../content/content.js';
import type { DialogDeps } from './deps.js';
import type { DidntWorkOptions } from './didntWorkDialog.js';
import { GuidedFlowDialog } from './guidedFlowDialog.js';
import { choiceValidator, sendTaskOutcome, whoIs, yesNo, type Who } from './guidedSupport.js';
import { sendText } from './replies.js';

type Kind = 'password' | 'username';

export class GuidedAccountHelpDialog extends GuidedFlowDialog {
  readonly kind: Kind;
  readonly #ids: { main: string; emailOk: string; askTeam: string };

  constructor(flow: 'forgotPassword' | 'forgotUsername', deps: DialogDeps) {
    super(flow, deps);
    this.kind = flow === 'forgotPassword' ? 'password' : 'username';
    this.#ids = { main: `${flow}.guided`, emailOk: `${flow}.emailOk`, askTeam: `${flow}.askTeam` };
    this.addDialog(new TextPrompt(this.#ids.emailOk, choiceValidator((prompt) => yesNo(deps.content(prompt.context)))));
    this.addDialog(new TextPrompt(this.#ids.askTeam, choiceValidator((prompt) => yesNo(deps.content(prompt.context)))));
    this.addDialog(
      new WaterfallDialog(this.#ids.main, [this.#checkEmail.bind(this), this.#emailAnswered.bind(this), this.#askTeamAnswered.bind(this), async (step) => step.endDialog(step.result)]),
    );
    this.initialDialogId = this.#ids.main;
    this.stepHelp.set(this.#ids.emailOk, 'guided.help');
    this.stepHelp.set(this.#ids.askTeam, 'guided.help');
  }

  async #checkEmail(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const who = await whoIs(this.deps, step.context);
    if (who.accounts.length === 0) return this.notInDirectory(step);
    const emails = maskedEmails(who);
    const card = guidedStepCard(c, {
      title: c.t('guided.forgot.emailTitle'),
      paragraphs: [emails.length === 1 ? c.t('guided.forgot.emailOnRecord', { email: emails[0]! }) : c.t('guided.forgot.emailOnRecordMany', { emails: emails.map((e) => `**${e}**`).join(', ') })],
      question: c.t('guided.forgot.askEmail'),
      choices: yesNo(c),
    });
    return step.prompt(this.#ids.emailOk, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('guided.chooseButton') });
  }

  async #emailAnswered(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    // Back from "not in the directory": nothing more to do here.
    if (step.result !== 'yes' && step.result !== 'no') return step.endDialog();
    if (step.result === 'yes') return this.beginSteps(step);
    const card = guidedStepCard(c, {
      title: c.t('guided.forgot.wrongEmailTitle'),
      paragraphs: [c.t('guided.forgot.wrongEmail')],
      choices: yesNo(c, c.t('guided.forgot.askTeam'), c.t('guided.forgot.noThanks')),
    });
    return step.prompt(this.#ids.askTeam, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('guided.chooseButton') });
  }

  async #askTeamAnswered(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    // Coming back from the steps: their result goes up as it is.
    if (step.result !== 'yes' && step.result !== 'no') return step.endDialog(step.result);
    if (step.result === 'no') {
      await sendText(step.context, c.t('guided.forgot.noThanksText'));
      return step.endDialog();
    }
    const who = await whoIs(this.deps, step.context);
    const outcome = await this.deps.desk.raiseAdminTask(step.context, {
      kind: 'correct_email',
      tried: [c.t('tasks.tried.wrongEmail', { email: maskedEmails(who).join(', ') })],
      screenshots: [],
      context: { flow: this.flow, step: this.#ids.askTeam },
    });
    await sendTaskOutcome(this.deps, step.context, 'correct_email', outcome);
    return step.endDialog();
  }

  protected stepCards(c: Content, who: Who): GuidedStepData[] {
    return [
      {
        title: c.t(`guided.forgot.stepsTitle.${this.kind}`),
        items: this.#steps(c, who),
        footer: c.t('guided.forgot.privacy'),
        links: [{ title: c.t('guided.openEsr'), url: c.fill('{esrLoginUrl}') }],
      },
    ];
  }

  protected finishCard(c: Content): GuidedStepData {
    return { title: c.t('guided.forgot.nextTitle'), items: c.list(`guided.forgot.next.${this.kind}`).map((s) => `• ${s}`), next: this.kind === 'username' ? ['forgotPassword', 'app'] : ['app', 'passwordRules'] };
  }

  protected failure(c: Content, who: Who): Omit<DidntWorkOptions, 'flow' | 'step'> {
    return {
      messages: [
        { id: 'noEmail', kind: 'correct_email' },
        { id: 'detailsWrong', kind: 'correct_date_of_birth' },
        { id: 'locked', kind: 'unlock' },
        { id: 'inactive', kind: 'reactivate' },
        { id: 'linkExpired', kind: 'other' },
        { id: 'own', kind: 'other' },
      ],
      tried: [c.t('tasks.tried.sawEmail', { email: maskedEmails(who).join(', ') }), c.t('tasks.tried.followedSteps', { flow: c.t(`flowNames.${this.flow}`) })],
    };
  }

  protected generalSteps(c: Content): string[] {
    return this.#steps(c, undefined);
  }

  #steps(c: Content, who: Who | undefined): string[] {
    const usernames = who?.usernames ?? [];
    const usernameStep =
      usernames.length > 1
        ? c.t('guided.forgot.usernameStepMany', { usernames: usernames.join(', ') })
        : usernames.length === 1
          ? c.t('guided.forgot.usernameStepOne', { username: usernames[0]! })
          : c.t('guided.forgot.usernameStepUnknown');
    return c.list('guided.forgot.steps', { usernameStep }).map((s, i) => `${i + 1}. ${s}`);
  }
}

function maskedEmails(who: Who): string[] {
  return [...new Set(who.accounts.map((a) => a.record.workEmail))].map(maskEmail);
}
