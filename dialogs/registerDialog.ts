// Register for internet (remote) access. In ESR this starts with a smartcard log-in at work; here the
// person's Teams sign-in stands in for the smartcard: we find their staff record from it, show their
// username and status, and let them set a password (twice) in masked boxes. Status becomes Approved.
import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import { choiceCard, infoCard, noticeCard, passwordFormCard, trainingNotice } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import { describeFailures } from '../content/passwordMessages.js';
import { isEsrError } from '../esr/errors.js';
import type { StaffAccount } from '../esr/types.js';
import type { DialogDeps } from './deps.js';
import { PASSWORD_PROMPT_ID } from './dialogStack.js';
import { FlowDialog } from './flowDialog.js';
import { CardSubmitPrompt, replaceCard, type CardSubmit } from './prompts.js';
import { sendCard, sendText } from './replies.js';
import { forgetTurnAccounts, turnAccounts } from './turnAccounts.js';

const CHOOSE = 'register.chooseAccount';
const FIND = 'register.find';
const PASSWORD = PASSWORD_PROMPT_ID;
const PASSWORD_LOOP = 'register.passwordLoop';
const SET_PASSWORD = 'setPassword';

interface LoopOptions {
  username: string;
  errors?: string[];
}

export class RegisterDialog extends FlowDialog {
  constructor(deps: DialogDeps) {
    super('register', deps);
    this.addDialog(new TextPrompt(CHOOSE, this.#validateChoice.bind(this)));
    this.addDialog(new CardSubmitPrompt(PASSWORD, [SET_PASSWORD]));
    this.addDialog(new WaterfallDialog(FIND, [this.#find.bind(this), this.#chosen.bind(this)]));
    this.addDialog(new WaterfallDialog(PASSWORD_LOOP, [this.#showForm.bind(this), this.#submitted.bind(this)]));
    this.initialDialogId = FIND;
    this.stepHelp.set(CHOOSE, 'register.chooseIntro');
  }

  override helpText(innerDc: Parameters<FlowDialog['helpText']>[0]): string {
    const c = this.deps.content(innerDc.context);
    if (innerDc.activeDialog?.id === PASSWORD || innerDc.activeDialog?.id === PASSWORD_LOOP) {
      const rulesSummary = c.list('password.rules', this.#rules()).join(' ');
      return `${c.t('register.help', { rulesSummary })}\n\n${c.t('help.inFlow', { flowName: c.t('flowNames.register') })}`;
    }
    return super.helpText(innerDc);
  }

  async #accounts(step: WaterfallStepContext): Promise<StaffAccount[]> {
    return turnAccounts(this.deps, step.context);
  }

  async #find(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const accounts = await this.#accounts(step);
    if (accounts.length === 0) {
      await sendCard(step.context, infoCard(c, { title: c.t('flowNames.register'), intro: c.t('register.noRecord'), next: ['report', 'human'] }));
      return step.endDialog();
    }
    if (accounts.length === 1) return step.next(accounts[0]!.record.username);
    const choices = accounts.map((a) => ({
      label: `${a.record.username} (${a.record.staffGroup.replace(/_/g, ' ')}, ${c.t(a.status === 'approved' ? 'register.statusApproved' : 'register.statusNotRegistered')})`,
      value: a.record.username,
    }));
    const card = choiceCard({ title: c.t('register.chooseTitle'), text: c.t('register.chooseIntro'), choices });
    return step.prompt(CHOOSE, { prompt: MessageFactory.attachment(asAttachment(card)) });
  }

  async #chosen(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const username = String(step.result);
    const account = (await this.#accounts(step)).find((a) => a.record.username === username);
    if (!account) return step.endDialog();
    if (account.status === 'approved') {
      await sendCard(step.context, infoCard(c, { title: c.t('flowNames.register'), intro: c.t('register.alreadyApproved', { username }), next: ['forgotPassword', 'app'] }));
      return step.endDialog();
    }
    return step.replaceDialog(PASSWORD_LOOP, { username } satisfies LoopOptions);
  }

  async #showForm(step: WaterfallStepContext<LoopOptions>) {
    const c = this.deps.content(step.context);
    const { username, errors } = step.options;
    const card = passwordFormCard(c, {
      title: c.t('register.passwordTitle'),
      intro: c.t('register.passwordIntro', { username, status: c.t('register.statusNotRegistered') }),
      ...(errors ? { errors } : {}),
      submitAction: SET_PASSWORD,
      rules: this.#rules(),
      ...this.#notice(step.context),
    });
    (step.values as { cardId?: string }).cardId = await sendCard(step.context, card);
    return step.prompt(PASSWORD, { retryPrompt: c.t('register.typeInCard') });
  }

  async #submitted(step: WaterfallStepContext<LoopOptions>) {
    const c = this.deps.content(step.context);
    const { username } = step.options;
    const submit = step.result as CardSubmit;
    // Clear the card the values were typed into (an older one, if that was used) and the one we last sent.
    const readOnly = asAttachment(noticeCard({ title: c.t('register.readOnlyTitle'), text: c.t('register.readOnlyBody') }));
    const used = new Set([step.context.activity.replyToId, (step.values as { cardId?: string }).cardId].filter((id): id is string => Boolean(id)));
    for (const id of used) await replaceCard(step.context, id, readOnly);
    const profile = await this.deps.profiles.resolve(step.context);
    try {
      await this.deps.esr.registerInternetAccess({
        identity: profile,
        username,
        password: textOf(submit.newPassword),
        confirmPassword: textOf(submit.confirmPassword),
        actor: { kind: 'staff', id: profile.entraObjectId ?? profile.teamsUserId, ...(profile.displayName ? { name: profile.displayName } : {}) },
        channel: 'teams',
      });
      forgetTurnAccounts(step.context); // now registered
    } catch (error) {
      if (isEsrError(error, 'password_policy')) return step.replaceDialog(PASSWORD_LOOP, { username, errors: describeFailures(c, error.failures) });
      if (isEsrError(error, 'password_mismatch')) return step.replaceDialog(PASSWORD_LOOP, { username, errors: [c.t('password.failures.mismatch')] });
      if (isEsrError(error, 'invalid_input')) return step.replaceDialog(PASSWORD_LOOP, { username, errors: [c.t('password.failures.too_long', { max: 256, length: textOf(submit.newPassword).length })] });
      if (isEsrError(error, 'already_registered')) {
        await sendText(step.context, c.t('register.alreadyApproved', { username }));
        return step.endDialog();
      }
      throw error;
    }
    await sendCard(
      step.context,
      infoCard(c, { title: c.t('register.successTitle'), intro: c.t('register.success', { username }), footer: c.t('trainingCopy.realSteps'), next: ['app'], ...this.#notice(step.context) }),
    );
    return step.endDialog({ registered: username, selfServed: true });
  }

  async #validateChoice(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const typed = (prompt.recognized.value ?? '').trim().toUpperCase();
    const accounts = await turnAccounts(this.deps, prompt.context);
    const match = accounts.find((a) => a.record.username === typed);
    if (match) {
      prompt.recognized.value = match.record.username;
      return true;
    }
    return false;
  }

  #notice(context: TurnContext) {
    return this.deps.settings.trainingCopy ? { notice: trainingNotice(this.deps.content(context)) } : {};
  }

  #rules() {
    const { minLength, maxLength, historySize } = this.deps.esr.policy.options;
    return { minLength, maxLength, historySize };
  }
}

// Card inputs arrive as strings; anything else counts as empty.
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
