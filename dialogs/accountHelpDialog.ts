// Forgotten password, forgotten username and unlock: ESR's "Forgotten | Request Username/Password |
// Unlock Account" page as a conversation. Work email, date of birth, username (optional); then the same
// confirmation whatever matched, and the ESR service emails the address on record.
import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import { choiceCard, infoCard, trainingNotice } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import { parseDateOfBirth } from '../esr/dates.js';
import { emailSchema, usernameSchema } from '../esr/schemas.js';
import type { AccountHelpKind } from '../esr/types.js';
import type { DialogDeps } from './deps.js';
import { FlowDialog } from './flowDialog.js';
import type { FlowId } from './flowIds.js';
import { sendCard, sendText } from './replies.js';
import { tokenise } from './intents.js';
import { turnLanguage } from './turnLanguage.js';

const KIND_OF: Record<'forgotPassword' | 'forgotUsername' | 'unlock', AccountHelpKind> = {
  forgotPassword: 'password',
  forgotUsername: 'username',
  unlock: 'unlock',
};

interface Answers {
  email?: string;
  dateOfBirth?: string;
  twoDigitYear?: boolean;
}

// What was typed is never repeated back in these answers: a wrong answer may be a password typed in the
// wrong place, and a passphrase with spaces does not look like one to the chat guard.

export class AccountHelpDialog extends FlowDialog {
  readonly kind: AccountHelpKind;
  readonly #ids: { email: string; dob: string; username: string; steps: string };

  constructor(flow: 'forgotPassword' | 'forgotUsername' | 'unlock', deps: DialogDeps) {
    super(flow, deps);
    this.kind = KIND_OF[flow];
    this.#ids = { email: `${flow}.email`, dob: `${flow}.dateOfBirth`, username: `${flow}.username`, steps: `${flow}.steps` };
    this.addDialog(new TextPrompt(this.#ids.email, this.#validateEmail.bind(this)));
    this.addDialog(new TextPrompt(this.#ids.dob, this.#validateDate.bind(this)));
    this.addDialog(new TextPrompt(this.#ids.username, this.#validateUsername.bind(this)));
    this.addDialog(
      new WaterfallDialog(this.#ids.steps, [this.#askEmail.bind(this), this.#askDate.bind(this), this.#askUsername.bind(this), this.#request.bind(this)]),
    );
    this.initialDialogId = this.#ids.steps;
    this.stepHelp.set(this.#ids.email, 'accountHelp.help.email');
    this.stepHelp.set(this.#ids.dob, 'accountHelp.help.dateOfBirth');
    this.stepHelp.set(this.#ids.username, 'accountHelp.help.username');
  }

  async #askEmail(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    await sendText(step.context, c.t(`accountHelp.intro.${this.kind}`));
    return step.prompt(this.#ids.email, { prompt: c.t('accountHelp.askEmail') });
  }

  async #askDate(step: WaterfallStepContext) {
    (step.values as Answers).email = emailSchema.parse(step.result);
    return step.prompt(this.#ids.dob, { prompt: this.deps.content(step.context).t('accountHelp.askDateOfBirth') });
  }

  async #askUsername(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const parsed = parseDateOfBirth(String(step.result), this.deps.clock.now());
    if (!parsed.ok) throw new Error('date validated but did not parse');
    const answers = step.values as Answers;
    answers.dateOfBirth = parsed.iso;
    // Say how a short or spelled-out date was read, so a wrong century or a day/month mix-up is caught now.
    if (parsed.twoDigitYear || !/^\d{4}-\d{2}-\d{2}$/.test(String(step.result).trim())) {
      await sendText(step.context, c.t('accountHelp.readDate', { date: this.#formatDate(parsed.iso) }));
    }
    const text = c.t(this.kind === 'username' ? 'accountHelp.askUsernameForUsername' : 'accountHelp.askUsername');
    const card = choiceCard({ text, choices: [{ label: c.t('accountHelp.skip'), value: 'skip' }] });
    return step.prompt(this.#ids.username, {
      prompt: MessageFactory.attachment(asAttachment(card)),
      retryPrompt: undefined,
    });
  }

  async #request(step: WaterfallStepContext) {
    const c = this.deps.content(step.context);
    const answers = step.values as Answers;
    const username = typeof step.result === 'string' && step.result ? step.result : undefined;
    const profile = await this.deps.profiles.resolve(step.context);
    this.deps.esr.requestAccountHelp({
      kind: this.kind,
      email: answers.email!,
      dateOfBirth: answers.dateOfBirth!,
      ...(username ? { username } : {}),
      actor: { kind: 'staff', id: profile.entraObjectId ?? profile.teamsUserId },
      channel: 'teams',
      // The email goes out in the language of the chat.
      ...languageField(step.context),
    });
    const next: FlowId[] = this.kind === 'username' ? ['forgotPassword', 'human'] : ['app', 'human'];
    await sendCard(
      step.context,
      infoCard(c, {
        title: c.t('accountHelp.confirmTitle'),
        intro: c.t(`accountHelp.confirm.${this.kind}`, { hours: this.deps.settings.resetLinkHours }),
        footer: c.t('accountHelp.noEmail'),
        next,
        ...(this.deps.settings.trainingCopy ? { notice: trainingNotice(c) } : {}),
      }),
    );
    return step.endDialog({ selfServed: true });
  }

  async #validateEmail(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const typed = (prompt.recognized.value ?? '').trim();
    if (emailSchema.safeParse(typed).success) return true;
    await sendText(prompt.context, this.deps.content(prompt.context).t('accountHelp.badEmail'));
    return false;
  }

  async #validateDate(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const typed = (prompt.recognized.value ?? '').trim();
    const parsed = parseDateOfBirth(typed, this.deps.clock.now());
    if (parsed.ok) return true;
    await sendText(prompt.context, this.deps.content(prompt.context).t(`accountHelp.badDate.${parsed.reason}`));
    return false;
  }

  // A username, or "skip" (the button, or words like "don't know") which becomes ''.
  async #validateUsername(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const typed = (prompt.recognized.value ?? '').trim();
    const skipWords = this.deps.content(prompt.context).list('accountHelp.skipWords').map((w) => tokenise(w).join(' '));
    if (skipWords.includes(tokenise(typed).join(' '))) {
      prompt.recognized.value = '';
      return true;
    }
    const parsed = usernameSchema.safeParse(typed);
    if (parsed.success) {
      prompt.recognized.value = parsed.data;
      return true;
    }
    await sendText(prompt.context, this.deps.content(prompt.context).t('accountHelp.badUsername'));
    return false;
  }

  #formatDate(iso: string): string {
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
  }
}

function languageField(context: TurnContext): { language?: string } {
  const language = turnLanguage(context);
  return language ? { language } : {};
}
