// The ESR service's StaffNotifier as email: builds the words from the content layer and the links from
// PUBLIC_URL (never from a request's Host header), then hands the message to a transport. Each email is in
// the person's language when it is known (they asked in the chat, or on a page in that language); when it
// is not (an agent unlocked their account), it is in both, the organisation's default first. A person asking
// for themselves without a language (a page whose link named none) gets the organisation's default. Each
// email is in the words (Trust name, contacts, time zone, default language) of the addressee's organisation.
import type { Content, Params } from '../content/content.js';
import { bilingualOrder, languageParam, type Language, type PerLanguage } from '../content/language.js';
import type { LanguageHint, StaffNotifier } from '../esr/ports.js';
import type { AccountHelpKind, Channel } from '../esr/types.js';
import { renderBilingualEmail, renderEmail, type EmailParts } from './emailLayout.js';
import type { MailTransport } from './transport.js';

export interface StaffMailerOptions {
  publicUrl: string;
  timeZone: string;
  tokenTtlHours: number;
  /** The organisation's default language: first in bilingual emails. */
  orgDefault?: Language;
  /** The simulated ESR: every email says it comes from a training copy that changes no real account. */
  trainingCopy?: boolean;
  /** The addressee's organisation (by ESR username): its {placeholder} values in each language, time zone and default language. Default: the content's own, timeZone and orgDefault. */
  organisationOf?: (username: string) => { values: (language: Language) => Params; timeZone: string; defaultLanguage?: Language };
}

type Draft = (c: Content, language: Language, timeZone: string) => { subject: string; parts: Omit<EmailParts, 'notice'> };

export class StaffMailer implements StaffNotifier {
  readonly #contents: PerLanguage<Content>;
  readonly #transport: MailTransport;
  readonly #options: StaffMailerOptions;

  /** `content`: the words per language, or one Content for every email (English-only callers and tests). */
  constructor(content: PerLanguage<Content> | Content, transport: MailTransport, options: StaffMailerOptions) {
    this.#contents = 'en-GB' in content ? content : { 'en-GB': content, 'cy-GB': content };
    this.#transport = transport;
    this.#options = options;
  }

  /** The link an emailed token opens, carrying the language the page should speak. */
  linkFor(kind: 'reset' | 'unlock', token: string, language?: Language): string {
    return `${this.#options.publicUrl}/${kind}?token=${encodeURIComponent(token)}${language === 'cy-GB' ? `&lang=${languageParam(language)}` : ''}`;
  }

  async sendAccountHelp(message: { kind: AccountHelpKind; to: string; firstName: string; accounts: Array<{ username: string; token?: string; setUpFirst?: true }>; expiresAt?: Date } & LanguageHint): Promise<void> {
    const { kind, accounts } = message;
    await this.#send(message.to, message, accounts[0]?.username, (c, language, timeZone) => {
      const paragraphs = [
        c.t('email.greeting', { firstName: message.firstName }),
        c.t(`email.${kind}.intro`),
        c.t(accounts.length > 1 ? 'email.accountsIntroMany' : 'email.accountsIntro'),
        c.t('email.organisation'),
        ...accounts.map((a) => c.t('email.usernameLine', { username: a.username })),
        ...accounts.filter((a) => a.setUpFirst).map((a) => c.t(kind === 'unlock' ? 'email.setUpFirst.unlock' : 'email.setUpFirst.password', { username: a.username })),
        // The training copy's usernames and passwords do not work on the real ESR: never send people there with them.
        c.t(this.#options.trainingCopy ? 'trainingCopy.realSteps' : 'email.loginLine'),
      ];
      const links = accounts
        .filter((a): a is { username: string; token: string } => Boolean(a.token))
        .map((a) =>
          kind === 'unlock'
            ? { label: c.t('email.unlock.action', { username: a.username }), url: this.linkFor('unlock', a.token, language) }
            : { label: c.t('email.password.action', { username: a.username }), url: this.linkFor('reset', a.token, language) },
        );
      const notes: string[] = [];
      if (message.expiresAt && (kind === 'password' || kind === 'unlock')) {
        notes.push(c.t(`email.${kind}.expiry`, { hours: this.#options.tokenTtlHours, expiresAt: this.#formatTime(message.expiresAt, language, timeZone) }));
      }
      notes.push(c.t('email.ignore'));
      return { subject: c.t(`email.${kind}.subject`), parts: { paragraphs, links, notes, footer: c.t('email.footer') } };
    }, message.expiresAt);
  }

  async sendPasswordChanged(message: { to: string; firstName: string; username: string; at: Date; channel: Channel } & LanguageHint): Promise<void> {
    await this.#send(message.to, message, message.username, (c, language, timeZone) => ({
      subject: c.t('email.changed.subject'),
      parts: {
        paragraphs: [c.t('email.greeting', { firstName: message.firstName }), c.t('email.changed.body', { username: message.username, at: this.#formatTime(message.at, language, timeZone) }), c.t('email.changed.notYou')],
        footer: c.t('email.footer'),
      },
    }));
  }

  async sendAccountUnlocked(message: { to: string; firstName: string; username: string; at: Date } & LanguageHint): Promise<void> {
    await this.#send(message.to, message, message.username, (c, language, timeZone) => ({
      subject: c.t('email.unlocked.subject'),
      parts: {
        paragraphs: [c.t('email.greeting', { firstName: message.firstName }), c.t('email.unlocked.body', { username: message.username, at: this.#formatTime(message.at, language, timeZone) }), c.t('email.unlocked.notYou')],
        footer: c.t('email.footer'),
      },
    }));
  }

  async #send(to: string, hint: LanguageHint, username: string | undefined, draft: Draft, expiresAt?: Date): Promise<void> {
    // The addressee's organisation (by username): its values, time zone and default language.
    const org = username !== undefined ? this.#options.organisationOf?.(username) : undefined;
    const timeZone = org?.timeZone ?? this.#options.timeZone;
    const version = (lang: Language) => {
      const c = org ? this.#contents[lang].withGlobals(org.values(lang)) : this.#contents[lang];
      const { subject, parts } = draft(c, lang, timeZone);
      const notice = this.#options.trainingCopy ? { notice: { label: c.t('trainingCopy.label'), text: c.t('trainingCopy.notice') } } : {};
      return { lang: lang === 'cy-GB' ? 'cy' : 'en-GB', subject, parts: { ...parts, ...notice } };
    };
    const known = hint.language === 'en-GB' || hint.language === 'cy-GB' ? hint.language : undefined;
    const orgDefault = org?.defaultLanguage ?? this.#options.orgDefault ?? 'en-GB';
    let mail: { subject: string; html: string; text: string };
    if (!hint.languageUnknown || this.#contents['en-GB'] === this.#contents['cy-GB']) {
      const v = version(known ?? orgDefault);
      mail = { subject: v.subject, ...renderEmail(v.subject, v.parts, v.lang) };
    } else {
      mail = renderBilingualEmail(bilingualOrder(orgDefault).map(version), this.#contents[orgDefault].t('language.bilingualNote'));
    }
    await this.#transport.send({ to, subject: mail.subject, html: mail.html, text: mail.text, ...(expiresAt ? { expiresAt } : {}) });
  }

  #formatTime(at: Date, language: Language, timeZone: string): string {
    return new Intl.DateTimeFormat(language === 'cy-GB' ? 'cy-GB' : 'en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(at);
  }
}
