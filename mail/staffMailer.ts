// The ESR service's StaffNotifier as email: builds the words from the content layer and the links from
// PUBLIC_URL (never from a request's Host header), then hands the message to a transport.
import type { Content, Params } from '../content/content.js';
import type { StaffNotifier } from '../esr/ports.js';
import type { AccountHelpKind, Channel } from '../esr/types.js';
import { renderEmail } from './emailLayout.js';
import type { MailTransport } from './transport.js';

export interface StaffMailerOptions {
  publicUrl: string;
  timeZone: string;
  tokenTtlHours: number;
  /** The simulated ESR: every email says it comes from a training copy that changes no real account. */
  trainingCopy?: boolean;
  /** The addressee's organisation (by ESR username): its {placeholder} values and time zone. Default: the content's own and timeZone. */
  organisationOf?: (username: string) => { values: Params; timeZone: string };
}

export class StaffMailer implements StaffNotifier {
  readonly #content: Content;
  readonly #transport: MailTransport;
  readonly #options: StaffMailerOptions;

  constructor(content: Content, transport: MailTransport, options: StaffMailerOptions) {
    this.#content = content;
    this.#transport = transport;
    this.#options = options;
  }

  /** The link an emailed token opens. */
  linkFor(kind: 'reset' | 'unlock', token: string): string {
    return `${this.#options.publicUrl}/${kind}?token=${encodeURIComponent(token)}`;
  }

  async sendAccountHelp(message: { kind: AccountHelpKind; to: string; firstName: string; accounts: Array<{ username: string; token?: string; setUpFirst?: true }>; expiresAt?: Date }): Promise<void> {
    const { kind, accounts } = message;
    const { c, timeZone } = this.#for(accounts[0]?.username);
    const subject = c.t(`email.${kind}.subject`);
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
          ? { label: c.t('email.unlock.action', { username: a.username }), url: this.linkFor('unlock', a.token) }
          : { label: c.t('email.password.action', { username: a.username }), url: this.linkFor('reset', a.token) },
      );
    const notes: string[] = [];
    if (message.expiresAt && (kind === 'password' || kind === 'unlock')) {
      notes.push(c.t(`email.${kind}.expiry`, { hours: this.#options.tokenTtlHours, expiresAt: formatTime(message.expiresAt, timeZone) }));
    }
    notes.push(c.t('email.ignore'));
    await this.#send(c, message.to, subject, { paragraphs, links, notes, footer: c.t('email.footer') }, message.expiresAt);
  }

  async sendPasswordChanged(message: { to: string; firstName: string; username: string; at: Date; channel: Channel }): Promise<void> {
    const { c, timeZone } = this.#for(message.username);
    await this.#send(c, message.to, c.t('email.changed.subject'), {
      paragraphs: [
        c.t('email.greeting', { firstName: message.firstName }),
        c.t('email.changed.body', { username: message.username, at: formatTime(message.at, timeZone) }),
        c.t('email.changed.notYou'),
      ],
      footer: c.t('email.footer'),
    });
  }

  async sendAccountUnlocked(message: { to: string; firstName: string; username: string; at: Date }): Promise<void> {
    const { c, timeZone } = this.#for(message.username);
    await this.#send(c, message.to, c.t('email.unlocked.subject'), {
      paragraphs: [
        c.t('email.greeting', { firstName: message.firstName }),
        c.t('email.unlocked.body', { username: message.username, at: formatTime(message.at, timeZone) }),
        c.t('email.unlocked.notYou'),
      ],
      footer: c.t('email.footer'),
    });
  }

  // The words and time zone of the addressee's organisation.
  #for(username: string | undefined): { c: Content; timeZone: string } {
    const org = username !== undefined ? this.#options.organisationOf?.(username) : undefined;
    return org ? { c: this.#content.withGlobals(org.values), timeZone: org.timeZone } : { c: this.#content, timeZone: this.#options.timeZone };
  }

  async #send(c: Content, to: string, subject: string, parts: Parameters<typeof renderEmail>[1], expiresAt?: Date): Promise<void> {
    const notice = this.#options.trainingCopy ? { notice: { label: c.t('trainingCopy.label'), text: c.t('trainingCopy.notice') } } : {};
    const { html, text } = renderEmail(subject, { ...parts, ...notice });
    await this.#transport.send({ to, subject, html, text, ...(expiresAt ? { expiresAt } : {}) });
  }

}

function formatTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(at);
}
