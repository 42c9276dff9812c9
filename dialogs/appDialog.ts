// "My ESR app": which phone, then the Trust guide's steps for that store. The app needs the internet-access
// password, so someone who has not set one up is taken through that first.
import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder-core';
import { choiceCard, infoCard } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import { RegisterDialog } from './registerDialog.js';
import { tokenise } from './intents.js';
import { sendCard, sendText } from './replies.js';
import { turnAccounts } from './turnAccounts.js';

const PHONE = 'app.phone';
const STEPS = 'app.steps';
type Phone = 'iphone' | 'android';

const PHONE_WORDS: Record<string, Phone> = {
  iphone: 'iphone', ipad: 'iphone', ios: 'iphone', apple: 'iphone', 'app store': 'iphone',
  android: 'android', samsung: 'android', google: 'android', pixel: 'android', 'play store': 'android', 'google play': 'android',
};

export class AppDialog extends FlowDialog {
  /** In guided mode the bot cannot see whether ESR has them set up, and never takes a password. */
  readonly #guided: boolean;

  constructor(deps: DialogDeps, options: { guided?: boolean } = {}) {
    super('app', deps);
    this.#guided = options.guided ?? false;
    this.addDialog(new TextPrompt(PHONE, this.#validatePhone.bind(this)));
    // Setting a password first happens inside this flow, so help, reprompts and the password form all work there.
    this.addDialog(new RegisterDialog(deps));
    this.addDialog(new WaterfallDialog(STEPS, [this.#askPhone.bind(this), this.#checkRegistered.bind(this), this.#showSteps.bind(this)]));
    this.initialDialogId = STEPS;
    this.stepHelp.set(PHONE, 'app.help');
  }

  async #askPhone(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const phone = phoneIn(step.context.activity.text ?? '');
    if (phone) return step.next(phone);
    const card = choiceCard({ title: c.t('app.title'), text: c.t('app.askPhone'), choices: [{ label: c.t('app.iphone'), value: 'iphone' }, { label: c.t('app.android'), value: 'android' }] });
    return step.prompt(PHONE, { prompt: MessageFactory.attachment(asAttachment(card)), retryPrompt: c.t('app.badChoice') });
  }

  async #checkRegistered(step: WaterfallStepContext) {
    const phone = phoneIn(String(step.result)) ?? 'android';
    (step.values as { phone?: Phone }).phone = phone;
    const accounts = await turnAccounts(this.deps, step.context);
    if (this.#guided) {
      if (accounts.length === 1) (step.values as { username?: string }).username = accounts[0]!.record.username;
      return step.next();
    }
    const approved = accounts.find((a) => a.status === 'approved');
    if (approved) (step.values as { username?: string }).username = approved.record.username;
    if (accounts.length > 0 && !approved) {
      await sendText(step.context, this.deps.content(step.context).t('app.needsRegistration'));
      return step.beginDialog('register');
    }
    return step.next();
  }

  async #showSteps(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const values = step.values as { phone: Phone; username?: string };
    const registered = (step.result as { registered?: string } | undefined)?.registered;
    const username = registered ?? values.username;
    const steps = [c.t(`app.store.${values.phone}`), ...c.list('app.steps')].map((s, i) => `${i + 1}. ${s}`);
    await sendCard(
      step.context,
      infoCard(c, {
        title: c.t('app.title'),
        intro: [c.t(`app.intro.${values.phone}`), username ? c.t('app.usernameHint', { username }) : ''].filter(Boolean).join(' '),
        items: steps,
        footer: c.t('app.footer'),
        // Against the real ESR the bot cannot see whether they are set up for home use, so it offers that too.
        next: username && !this.#guided ? ['forgotPassword', 'report'] : username ? ['register', 'forgotPassword', 'report'] : ['register', 'forgotPassword'],
      }),
    );
    return step.endDialog({ selfServed: true });
  }

  async #validatePhone(prompt: PromptValidatorContext<string>): Promise<boolean> {
    return Promise.resolve(phoneIn(prompt.recognized.value ?? '') !== undefined);
  }
}

function phoneIn(text: string): Phone | undefined {
  const words = tokenise(text).join(' ');
  for (const [word, phone] of Object.entries(PHONE_WORDS)) if (` ${words} `.includes(` ${word} `)) return phone;
  return undefined;
}
