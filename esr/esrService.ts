// The ESR service: the operations that the chat flows, the reset page and the scripts call.
// It knows nothing of Teams, HTTP or file formats; everything it touches comes in through ports.
import { z } from 'zod';
import { blankAccount } from './accountState.js';
import type { BackgroundTasks } from '../core/backgroundTasks.js';
import type { RateLimiter } from './rateLimiter.js';
import { HOUR } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { EsrError } from './errors.js';
import type { PasswordHasher } from './passwordHasher.js';
import type { PasswordPolicy, PolicyFailure } from './passwordPolicy.js';
import { normalisePassword } from './passwordPolicy.js';
import type { AccountHelpAccount, AccountStore, AuditEvent, AuditLog, LanguageHint, StaffDirectory, StaffNotifier, TokenStore } from './ports.js';
import { accountHelpRequestSchema, issuesOf, passwordInputSchema, usernameSchema } from './schemas.js';
import { matchStaff } from './staffMatch.js';
import { hashToken, looksLikeToken, newToken } from './tokens.js';
import type {
  AccountHelpKind,
  AccountState,
  Actor,
  Channel,
  StaffAccount,
  StaffRecord,
  StoredToken,
  TeamsIdentity,
  TokenPurpose,
} from './types.js';

export interface EsrServiceSettings {
  /** Failed sign-ins in a row before the account locks. */
  maxFailedSignIns: number;
  /** How long a reset or unlock link stays valid. */
  tokenTtlMs: number;
  /** Account-help requests allowed per staff record, and per person asking, in an hour. */
  accountHelpPerHour: number;
  /**
   * Whether reset and unlock links are issued at all. Only the simulated (training) ESR has pages that
   * could honour them; against the real ESR a link from us would change nothing real. Default true.
   */
  issuesLinks?: boolean;
}

export interface EsrServiceDeps {
  directory: StaffDirectory;
  accounts: AccountStore;
  tokens: TokenStore;
  audit: AuditLog;
  notifier: StaffNotifier;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  clock: Clock;
  background: BackgroundTasks;
  /** Limits account-help requests; hits must survive a restart. */
  limiter: RateLimiter;
  settings: EsrServiceSettings;
}

export interface Who {
  actor: Actor;
  channel: Channel;
  /** The language of the person asking, when known (en-GB, cy-GB), for what is sent to them. */
  language?: string;
}

export interface AccountHelpRequest extends Who {
  kind: AccountHelpKind;
  email: string;
  /** yyyy-mm-dd */
  dateOfBirth: string;
  username?: string;
}

export interface TokenRedemption extends Who {
  token: string;
  username: string;
  password: string;
  confirmPassword: string;
}

export type TokenCheck = { ok: true; purpose: TokenPurpose; expiresAt: string } | { ok: false; code: 'token_invalid' | 'token_expired' | 'token_used' };

export class EsrService {
  readonly #d: EsrServiceDeps;
  // A real hash to verify against when a username is unknown, so "unknown" takes as long as "wrong password".
  #decoyHash: Promise<string> | undefined;

  constructor(deps: EsrServiceDeps) {
    this.#d = deps;
  }

  get policy(): PasswordPolicy {
    return this.#d.policy;
  }

  // ---- finding staff ----

  async getAccount(username: string): Promise<StaffAccount | undefined> {
    const parsed = usernameSchema.safeParse(username);
    if (!parsed.success) return undefined;
    const record = await this.#d.directory.getByUsername(parsed.data);
    return record ? this.#view(record) : undefined;
  }

  /**
   * Every username of the person signed in to Teams (see esr/staffMatch.ts for the order). A match refused
   * because the records belong to another Entra identity looks like no match, and is audited.
   */
  async findByTeamsIdentity(identity: TeamsIdentity): Promise<StaffAccount[]> {
    const match = await matchStaff(this.#d.directory, identity);
    if ('refused' in match) {
      const { by, reason, usernames } = match.refused;
      await this.#audit(
        { actor: { kind: 'staff', ...(identity.entraObjectId ? { id: identity.entraObjectId } : {}) }, channel: 'teams' },
        { action: 'identity.match_refused', outcome: 'failure', ...(usernames.length === 1 ? { username: usernames[0]! } : {}), detail: { by, reason, usernames: usernames.join(',') } },
      );
      return [];
    }
    return Promise.all(match.records.map((r) => this.#view(r)));
  }

  async findByEmail(email: string): Promise<StaffAccount[]> {
    const records = await this.#d.directory.findByEmail(email.trim().toLowerCase());
    return Promise.all(records.map((r) => this.#view(r)));
  }

  // ---- passwords ----

  /** Every rule a proposed new password breaks for this username, including the history rule. */
  async checkNewPassword(username: string, password: string): Promise<PolicyFailure[]> {
    const record = await this.#d.directory.getByUsername(username);
    const failures = this.#d.policy.check(password, record ?? {});
    if (record) {
      const account = (await this.#d.accounts.get(record.username)) ?? blankAccount(record.username);
      if (await this.#isReused(account, password)) failures.push({ rule: 'reused', count: this.#d.policy.options.historySize });
    }
    return failures;
  }

  /**
   * Sets the first password of a username that the Teams user owns (their Teams sign-in stands in for
   * the smartcard), and approves internet access.
   */
  async registerInternetAccess(input: Who & { identity: TeamsIdentity; username: string; password: string; confirmPassword: string }): Promise<StaffAccount> {
    const owned = await this.findByTeamsIdentity(input.identity);
    const mine = owned.find((a) => a.record.username === input.username.trim().toUpperCase());
    if (!mine) throw new EsrError('not_found');
    if (mine.status === 'approved') throw new EsrError('already_registered');
    const password = this.#passwordPair(input.password, input.confirmPassword);
    await this.#assertAcceptable(mine.record, password, input);
    const hash = await this.#d.hasher.hash(password);
    const at = this.#now();
    const state = await this.#d.accounts.update(mine.record.username, (current) => {
      // Checked again inside the atomic update: of two submissions at once (a double-clicked card), one registers.
      if (current.status === 'approved') throw new EsrError('already_registered');
      return {
        ...current,
        status: 'approved',
        passwordHash: hash,
        previousHashes: this.#history(current),
        registeredAt: at,
        passwordChangedAt: at,
      };
    });
    await this.#audit(input, { action: 'internet_access.registered', outcome: 'success', username: mine.record.username });
    return this.#toView(mine.record, state);
  }

  // ---- forgotten password / username, unlock ----

  /**
   * ESR's "Forgotten | Request Username/Password | Unlock Account". Returns at once and the same way
   * whether or not anything matched; the matching, token and email happen in the background.
   */
  requestAccountHelp(request: AccountHelpRequest): void {
    const parsed = accountHelpRequestSchema.safeParse(request);
    if (!parsed.success) throw new EsrError('invalid_input', { issues: issuesOf(parsed.error) });
    const { kind, email, dateOfBirth, username } = parsed.data;
    this.#d.background.run('account help', async () => {
      const limit = { max: this.#d.settings.accountHelpPerHour, windowMs: HOUR };
      const now = this.#d.clock.now();
      // Past the limit the caller still sees the usual confirmation; nothing is sent, and the audit log says so.
      if (request.actor.id && !(await this.#d.limiter.allow(`account-help:actor:${request.actor.id}`, limit, now))) {
        await this.#audit(request, { action: 'account_help.suppressed', outcome: 'suppressed', ...(username ? { username } : {}), detail: { kind, reason: 'actor_limit' } });
        return;
      }
      let matches = (await this.#d.directory.findByEmail(email)).filter((r) => r.dateOfBirth === dateOfBirth);
      if (username) matches = matches.filter((r) => r.username === username);
      if (matches.length === 0) {
        await this.#audit(request, { action: 'account_help.requested', outcome: 'failure', ...(username ? { username } : {}), detail: { kind, matched: false } });
        return;
      }
      const allowed: StaffRecord[] = [];
      for (const record of matches) {
        if (await this.#d.limiter.allow(`account-help:record:${record.username}`, limit, now)) allowed.push(record);
        else await this.#audit(request, { action: 'account_help.suppressed', outcome: 'suppressed', username: record.username, detail: { kind, reason: 'record_limit' } });
      }
      await this.sendAccountHelp(kind, allowed, request);
    });
  }

  /**
   * Sends the account-help email for records already matched (and, for callers that limit requests,
   * already allowed). Always to the work email on record, never to an address someone typed.
   */
  async sendAccountHelp(kind: AccountHelpKind, records: StaffRecord[], who: Who): Promise<void> {
    const first = records[0];
    if (!first) return;
    const purpose: TokenPurpose | undefined = kind === 'password' ? 'reset' : kind === 'unlock' ? 'unlock' : undefined;
    if (purpose && this.#d.settings.issuesLinks === false) {
      for (const record of records) await this.#audit(who, { action: 'account_help.suppressed', outcome: 'suppressed', username: record.username, detail: { kind, reason: 'no_links_in_this_mode' } });
      return;
    }
    const accounts: AccountHelpAccount[] = [];
    const expiresAt = new Date(this.#d.clock.now().getTime() + this.#d.settings.tokenTtlMs);
    for (const record of records) {
      // A reset or unlock cannot approve an account never set up for home use: that needs the person's own
      // set-up first. Said only in the email (the chat answer stays the same), so nothing is revealed there.
      const setUpFirst = purpose !== undefined && (await this.#view(record)).status !== 'approved';
      if (setUpFirst) accounts.push({ username: record.username, setUpFirst });
      else accounts.push({ username: record.username, ...(purpose ? { token: await this.#issueToken(record.username, purpose, expiresAt) } : {}) });
    }
    const anyLink = accounts.some((a) => a.token);
    await this.#d.notifier.sendAccountHelp({ kind, to: first.workEmail, firstName: first.firstName, accounts, ...(anyLink ? { expiresAt } : {}), ...languageOf(who) });
    for (const record of records) {
      await this.#audit(who, { action: 'account_help.sent', outcome: 'success', username: record.username, detail: { kind } });
    }
  }

  /** Whose link this is (used or not), so its page can be in the words of their organisation. */
  async tokenOwner(token: string): Promise<string | undefined> {
    return (await this.#findToken(token))?.username;
  }

  /** What a reset or unlock link is worth, without using it up (for showing the right page). */
  async inspectToken(token: string): Promise<TokenCheck> {
    const stored = await this.#findToken(token);
    if (!stored) return { ok: false, code: 'token_invalid' };
    const problem = this.#tokenProblem(stored);
    return problem ? { ok: false, code: problem } : { ok: true, purpose: stored.purpose, expiresAt: stored.expiresAt };
  }

  /**
   * Every problem with a proposed reset at once, without using the link up: whether the typed username is
   * the link's, and the rules the password breaks for the link's owner. Undefined for a link that cannot be used.
   */
  async reviewReset(input: { token: string; username: string; password: string }): Promise<{ usernameMatches: boolean; failures: PolicyFailure[] } | undefined> {
    const stored = await this.#findToken(input.token);
    if (!stored || stored.purpose !== 'reset' || this.#tokenProblem(stored)) return undefined;
    const typed = usernameSchema.safeParse(input.username);
    const failures = input.password ? await this.checkNewPassword(stored.username, normalisePassword(input.password)) : [];
    return { usernameMatches: typed.success && typed.data === stored.username, failures };
  }

  /** Sets a new password through an emailed reset link. The link works once; a rejected password does not use it up. */
  async resetPasswordWithToken(input: TokenRedemption): Promise<StaffAccount> {
    const stored = await this.#usableToken(input, 'reset');
    const typed = usernameSchema.safeParse(input.username);
    if (!typed.success || typed.data !== stored.username) {
      await this.#audit(input, { action: 'token.rejected', outcome: 'failure', username: stored.username, detail: { reason: 'username_mismatch' } });
      throw new EsrError('token_username_mismatch');
    }
    const record = await this.#d.directory.getByUsername(stored.username);
    if (!record) throw new EsrError('token_invalid');
    const password = this.#passwordPair(input.password, input.confirmPassword);
    await this.#assertAcceptable(record, password, input);
    const hash = await this.#d.hasher.hash(password);
    if (!(await this.#d.tokens.consume(stored.hash, this.#now()))) throw new EsrError('token_used');
    const state = await this.#setPassword(record.username, hash);
    await this.#audit(input, { action: 'password.reset', outcome: 'success', username: record.username });
    this.#notifyLater('password changed', () =>
      this.#d.notifier.sendPasswordChanged({ to: record.workEmail, firstName: record.firstName, username: record.username, at: this.#d.clock.now(), channel: input.channel, ...languageOf(input) }),
    );
    return this.#toView(record, state);
  }

  /** Unlocks through an emailed unlock link. Returns a fresh reset token so the page can offer a new password. */
  async unlockWithToken(input: Who & { token: string }): Promise<{ account: StaffAccount; resetToken: string }> {
    const stored = await this.#usableToken(input, 'unlock');
    if (!(await this.#d.tokens.consume(stored.hash, this.#now()))) throw new EsrError('token_used');
    const account = await this.unlock(stored.username, input);
    const expiresAt = new Date(this.#d.clock.now().getTime() + this.#d.settings.tokenTtlMs);
    const resetToken = await this.#issueToken(stored.username, 'reset', expiresAt);
    return { account, resetToken };
  }

  /** Clears a lock and the failed-attempt count (an unlock link, or a helpdesk agent). */
  async unlock(username: string, who: Who): Promise<StaffAccount> {
    const record = await this.#d.directory.getByUsername(username);
    if (!record) throw new EsrError('not_found');
    const state = await this.#d.accounts.update(record.username, (current) => {
      const { lockedAt: _lockedAt, ...rest } = current;
      return { ...rest, locked: false, failedAttempts: 0 };
    });
    await this.#audit(who, { action: 'account.unlocked', outcome: 'success', username: record.username });
    this.#notifyLater('account unlocked', () =>
      this.#d.notifier.sendAccountUnlocked({ to: record.workEmail, firstName: record.firstName, username: record.username, at: this.#d.clock.now(), ...languageOf(who) }),
    );
    return this.#toView(record, state);
  }

  // ---- signing in ----

  /** Checks a username and password; counts failures and locks the account after too many in a row. */
  async authenticate(input: Who & { username: string; password: string }): Promise<StaffAccount> {
    const parsed = usernameSchema.safeParse(input.username);
    const record = parsed.success ? await this.#d.directory.getByUsername(parsed.data) : undefined;
    const state = record ? ((await this.#d.accounts.get(record.username)) ?? blankAccount(record.username)) : undefined;
    if (!record || !state?.passwordHash) {
      await this.#d.hasher.verify(await this.#decoy(), input.password);
      await this.#audit(input, { action: 'signin.failed', outcome: 'failure', ...(record ? { username: record.username } : {}), detail: { reason: record ? 'not_registered' : 'unknown_username' } });
      throw new EsrError('invalid_credentials');
    }
    if (state.locked) {
      await this.#audit(input, { action: 'signin.failed', outcome: 'failure', username: record.username, detail: { reason: 'locked' } });
      throw new EsrError('account_locked');
    }
    const ok = await this.#d.hasher.verify(state.passwordHash, normalisePassword(input.password));
    if (ok) {
      const after = await this.#d.accounts.update(record.username, (current) => ({ ...current, failedAttempts: 0 }));
      await this.#audit(input, { action: 'signin.succeeded', outcome: 'success', username: record.username });
      return this.#toView(record, after);
    }
    const max = this.#d.settings.maxFailedSignIns;
    const at = this.#now();
    const after = await this.#d.accounts.update(record.username, (current) => {
      const failedAttempts = current.failedAttempts + 1;
      return failedAttempts >= max && !current.locked ? { ...current, failedAttempts, locked: true, lockedAt: at } : { ...current, failedAttempts };
    });
    await this.#audit(input, { action: 'signin.failed', outcome: 'failure', username: record.username, detail: { reason: 'wrong_password', attempts: after.failedAttempts } });
    if (after.locked) {
      await this.#audit(input, { action: 'account.locked', outcome: 'success', username: record.username, detail: { attempts: after.failedAttempts } });
      throw new EsrError('account_locked');
    }
    throw new EsrError('invalid_credentials');
  }

  // ---- internals ----

  async #view(record: StaffRecord): Promise<StaffAccount> {
    return this.#toView(record, (await this.#d.accounts.get(record.username)) ?? blankAccount(record.username));
  }

  #toView(record: StaffRecord, state: AccountState): StaffAccount {
    return {
      record,
      status: state.status,
      locked: state.locked,
      failedAttempts: state.failedAttempts,
      hasPassword: Boolean(state.passwordHash),
      ...(state.passwordChangedAt ? { passwordChangedAt: state.passwordChangedAt } : {}),
    };
  }

  #passwordPair(password: string, confirm: string): string {
    const parsed = z.object({ password: passwordInputSchema, confirm: passwordInputSchema }).safeParse({ password, confirm });
    if (!parsed.success) throw new EsrError('invalid_input', { issues: issuesOf(parsed.error) });
    const a = normalisePassword(password);
    if (a !== normalisePassword(confirm)) throw new EsrError('password_mismatch');
    return a;
  }

  async #assertAcceptable(record: StaffRecord, password: string, who: Who): Promise<void> {
    const failures = await this.checkNewPassword(record.username, password);
    if (failures.length > 0) {
      await this.#audit(who, { action: 'password.rejected', outcome: 'failure', username: record.username, detail: { rules: failures.map((f) => f.rule).join(',') } });
      throw new EsrError('password_policy', { failures });
    }
  }

  // The last `historySize` passwords, counting the current one, may not come back.
  async #isReused(account: AccountState, password: string): Promise<boolean> {
    const recent = [account.passwordHash, ...account.previousHashes].filter((h): h is string => Boolean(h)).slice(0, this.#d.policy.options.historySize);
    const normalised = normalisePassword(password);
    const matches = await Promise.all(recent.map((h) => this.#d.hasher.verify(h, normalised)));
    return matches.some(Boolean);
  }

  #history(current: AccountState): string[] {
    const keep = this.#d.policy.options.historySize - 1;
    return [current.passwordHash, ...current.previousHashes].filter((h): h is string => Boolean(h)).slice(0, keep);
  }

  async #setPassword(username: string, hash: string): Promise<AccountState> {
    const at = this.#now();
    return this.#d.accounts.update(username, (current) => {
      const { lockedAt: _lockedAt, ...rest } = current;
      return {
        ...rest,
        status: 'approved',
        passwordHash: hash,
        previousHashes: this.#history(current),
        passwordChangedAt: at,
        registeredAt: current.registeredAt ?? at,
        // A successful reset also clears a lock, as ESR's combined "password / unlock" page does.
        locked: false,
        failedAttempts: 0,
      };
    });
  }

  async #issueToken(username: string, purpose: TokenPurpose, expiresAt: Date): Promise<string> {
    const token = newToken();
    await this.#d.tokens.issue({ hash: hashToken(token), username, purpose, createdAt: this.#now(), expiresAt: expiresAt.toISOString() });
    return token;
  }

  async #findToken(token: string): Promise<StoredToken | undefined> {
    if (!looksLikeToken(token)) return undefined;
    return this.#d.tokens.findByHash(hashToken(token));
  }

  #tokenProblem(stored: StoredToken): 'token_invalid' | 'token_expired' | 'token_used' | undefined {
    if (stored.usedAt) return 'token_used';
    if (stored.voidedAt) return 'token_invalid';
    if (new Date(stored.expiresAt).getTime() <= this.#d.clock.now().getTime()) return 'token_expired';
    return undefined;
  }

  async #usableToken(input: Who & { token: string }, purpose: TokenPurpose): Promise<StoredToken> {
    const stored = await this.#findToken(input.token);
    const problem = !stored || stored.purpose !== purpose ? 'token_invalid' : this.#tokenProblem(stored);
    if (problem || !stored) {
      await this.#audit(input, { action: 'token.rejected', outcome: 'failure', ...(stored ? { username: stored.username } : {}), detail: { reason: problem ?? 'token_invalid' } });
      throw new EsrError(problem ?? 'token_invalid');
    }
    return stored;
  }

  #decoy(): Promise<string> {
    this.#decoyHash ??= this.#d.hasher.hash(newToken());
    return this.#decoyHash;
  }

  #notifyLater(label: string, send: () => Promise<void>): void {
    this.#d.background.run(label, send);
  }

  #now(): string {
    return this.#d.clock.now().toISOString();
  }

  // `who` apart from the event, so a caller's input (a typed username, which may be a password typed in the
  // wrong box) can never be spread into the log; `username` is only ever one the service has checked.
  async #audit(who: Who, event: Pick<AuditEvent, 'action' | 'outcome'> & { username?: string; detail?: AuditEvent['detail'] }): Promise<void> {
    await this.#d.audit.record({
      at: this.#now(),
      action: event.action,
      actor: who.actor,
      channel: who.channel,
      outcome: event.outcome,
      ...(event.username ? { username: event.username } : {}),
      ...(event.detail ? { detail: event.detail } : {}),
    });
  }
}

// Someone asking for themselves asks in a language (the chat's, the page's); when an agent, an administrator
// or the system acts on their account, nobody knows theirs.
const languageOf = (who: Who): LanguageHint =>
  who.actor.kind === 'staff' || who.actor.kind === 'anonymous' ? (who.language ? { language: who.language } : {}) : { languageUnknown: true };
