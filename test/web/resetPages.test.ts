// The pages that emailed links open (/reset and /unlock), over plain HTTP against the real server. Links
// come from the real ESR service and StaffMailer, caught by a transport that keeps what it is given.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { HOUR, MINUTE, ManualClock } from '../../core/clock.js';
import type { AccountHelpKind } from '../../esr/types.js';
import type { OutgoingMail } from '../../mail/transport.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { KeepingTransport } from '../support/keepingTransport.js';

const ALEX = { username: '241ADEMO01', email: 'alex.demo@nhs-trust.example', dateOfBirth: '1985-03-14' };
const NEW_PASSWORD = 'copper meadow violin tide';
const WORKFORCE_EMAIL = 'workforce.information@nhs-trust.example';
const SET_UP_AT = '2026-01-05T10:00:00.000Z';


let requests = 0;

describe('the reset and unlock pages', () => {
  let t: TestApp;
  let clock: ManualClock;
  let mail: KeepingTransport;

  beforeEach(async () => {
    clock = new ManualClock('2026-01-05T10:00:00Z');
    mail = new KeepingTransport();
    t = await startTestApp({ clock, mailTransport: mail });
    // Links are only sent for a username set up for use from home.
    await t.setUpAtWork({ aadObjectId: '00000000-0000-4000-8000-000000000020' }, ALEX.username);
  });
  afterEach(() => t.stop({ keepData: false }));

  const delivered = async (): Promise<OutgoingMail[]> => {
    await t.app.background.idle();
    await t.app.mail.deliverDue();
    return mail.sent;
  };

  /** Asks for a link for Alex as the chat would, and returns the path (with token) the email gives. */
  const emailedLink = async (kind: Exclude<AccountHelpKind, 'username'> = 'password'): Promise<{ path: string; token: string }> => {
    const before = mail.sent.length;
    t.app.esr.requestAccountHelp({ kind, email: ALEX.email, dateOfBirth: ALEX.dateOfBirth, username: ALEX.username, actor: { kind: 'staff', id: `asker-${++requests}` }, channel: 'teams' });
    const sent = (await delivered()).slice(before);
    const url = /http:\/\/localhost:3978(\/(?:reset|unlock)\?token=([\w-]+))/.exec(sent.map((m) => m.text).join('\n'));
    if (!url) throw new Error('no link was emailed');
    return { path: url[1]!, token: url[2]! };
  };

  const get = (path: string) => fetch(`${t.url}${path}`);
  const post = (path: string, fields: Record<string, string>) => fetch(`${t.url}${path}`, { method: 'POST', body: new URLSearchParams(fields) });
  const resetWith = (token: string, fields: Partial<Record<'username' | 'password' | 'confirm', string>> = {}) =>
    post('/reset', { token, username: ALEX.username, password: NEW_PASSWORD, confirm: fields.password ?? NEW_PASSWORD, ...fields });

  function expectSecureHeaders(res: Response, html: string): void {
    expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(res.headers.get('cache-control')).to.contain('no-store');
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('default-src')).to.deep.equal(["'none'"]);
    expect(directives.get('script-src')).to.deep.equal(["'self'"]);
    expect(directives.get('style-src')).to.deep.equal(["'self'"]);
    expect(directives.get('frame-ancestors')).to.deep.equal(["'none'"]);
    expect(directives.get('form-action')).to.deep.equal(["'self'"]);
    expect(csp).to.not.match(/unsafe-inline|unsafe-eval|\*/);
    // And the page keeps to it: nothing inline that the policy would block.
    expect(html).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  }

  describe('send security headers and a strict Content-Security-Policy on every page', () => {
    const pages: Array<{ page: string; open: () => Promise<Response> }> = [
      { page: 'the reset form', open: async () => get((await emailedLink()).path) },
      { page: 'the reset form showing errors', open: async () => resetWith((await emailedLink()).token, { password: 'short' }) },
      { page: 'the password-changed page', open: async () => resetWith((await emailedLink()).token) },
      { page: 'the unknown-link page', open: () => get(`/reset?token=${randomBytes(32).toString('base64url')}`) },
      { page: 'the page for a link with no token', open: () => get('/reset') },
      { page: 'the unlock form', open: async () => get((await emailedLink('unlock')).path) },
      { page: 'the unlocked page', open: async () => post('/unlock', { token: (await emailedLink('unlock')).token }) },
    ];
    for (const { page, open } of pages) {
      it(page, async () => {
        const res = await open();
        const html = await res.text();
        expect(res.headers.get('content-type')).to.contain('text/html');
        expectSecureHeaders(res, html);
      });
    }
  });

  describe('show a clear "cannot be used" page, with the way to get a new link, for a link that is', () => {
    const cases: Array<{ link: string; status: number; reason: string; open: () => Promise<Response> }> = [
      { link: 'unknown', status: 400, reason: 'The link is not valid', open: () => get(`/reset?token=${randomBytes(32).toString('base64url')}`) },
      { link: 'mangled (cut short in the email)', status: 400, reason: 'The link is not valid', open: async () => get((await emailedLink()).path.slice(0, -5)) },
      {
        link: 'expired (over 4 hours old)',
        status: 410,
        reason: 'The link has expired',
        open: async () => {
          const { path } = await emailedLink();
          clock.advance(4 * HOUR + MINUTE);
          return get(path);
        },
      },
      {
        link: 'used already',
        status: 410,
        reason: 'The link has already been used',
        open: async () => {
          const { path, token } = await emailedLink();
          expect((await resetWith(token)).status).to.equal(200);
          return get(path);
        },
      },
      {
        link: 'superseded by a newer request',
        status: 400,
        reason: 'replaced by a newer link',
        open: async () => {
          const older = await emailedLink();
          clock.advance(MINUTE);
          const newer = await emailedLink();
          expect((await get(newer.path)).status, 'the newer link works').to.equal(200);
          return get(older.path);
        },
      },
      { link: 'an unlock link opened on the reset page', status: 400, reason: 'The link is not valid', open: async () => get(`/reset?token=${(await emailedLink('unlock')).token}`) },
    ];
    for (const { link, status, reason, open } of cases) {
      it(link, async () => {
        const res = await open();
        const html = await res.text();
        expect(res.status).to.equal(status);
        expect(html).to.contain('This link cannot be used').and.contain(reason);
        expect(html).to.contain('To get a new link').and.contain('forgotten password').and.contain(WORKFORCE_EMAIL);
        expect(html).to.not.contain('<form');
        expectSecureHeaders(res, html);
      });
    }

    it('expired, also when the form is sent: the password is not changed', async () => {
      const { token } = await emailedLink();
      clock.advance(4 * HOUR + MINUTE);
      const res = await resetWith(token);
      expect(res.status).to.equal(410);
      expect(await res.text()).to.contain('The link has expired');
      expect((await t.app.esr.getAccount(ALEX.username))?.passwordChangedAt, 'the password is as it was set up').to.equal(SET_UP_AT);
    });
  });

  it('refuses a username the link was not sent for, keeping the link usable', async () => {
    const { token } = await emailedLink();
    const res = await resetWith(token, { username: '241BSAMPLE01' });
    const html = await res.text();
    expect(res.status).to.equal(400);
    expect(html).to.contain('Enter the ESR username the email was sent for').and.contain('role="alert"');
    expect((await t.app.esr.getAccount('241BSAMPLE01'))?.passwordChangedAt).to.equal('2026-01-05T10:00:00.000Z');
    expect((await resetWith(token)).status).to.equal(200);
  });

  const badAttempts: Array<{ what: string; attempt: (token: string, i: number) => Promise<Response> }> = [
    { what: 'wrong usernames', attempt: (token) => resetWith(token, { username: '241BSAMPLE01' }) },
    { what: 'guessed links', attempt: () => get(`/reset?token=${randomBytes(32).toString('base64url')}`) },
    { what: 'wrong usernames and guessed links together', attempt: (token, i) => (i % 2 ? resetWith(token, { username: '241FMOCK01' }) : post('/reset', { token: randomBytes(32).toString('base64url'), username: ALEX.username, password: NEW_PASSWORD, confirm: NEW_PASSWORD })) },
  ];
  for (const { what, attempt } of badAttempts) {
    it(`answers 429 after 10 ${what} in 15 minutes, even for a good link, until the window has passed`, async () => {
      const { path, token } = await emailedLink();
      for (let i = 0; i < 10; i++) expect((await attempt(token, i)).status, `bad attempt ${i + 1}`).to.equal(400);
      const blocked = await get(path);
      const html = await blocked.text();
      expect(blocked.status).to.equal(429);
      expect(Number(blocked.headers.get('retry-after'))).to.equal(15 * 60);
      expect(html).to.contain('Too many attempts').and.contain(WORKFORCE_EMAIL);
      expectSecureHeaders(blocked, html);
      expect((await resetWith(token)).status, 'the form is refused too').to.equal(429);
      expect((await t.app.esr.getAccount(ALEX.username))?.passwordChangedAt, 'the password is as it was set up').to.equal(SET_UP_AT);

      clock.advance(15 * MINUTE);
      expect((await get(path)).status).to.equal(200);
      expect((await resetWith(token)).status).to.equal(200);
    });
  }

  describe('behind reverse proxies (TRUST_PROXY)', () => {
    const behind = async (trustProxy: string) => {
      await t.stop({ keepData: false });
      t = await startTestApp({ clock, mailTransport: mail, env: { TRUST_PROXY: trustProxy } });
      await t.setUpAtWork({ aadObjectId: '00000000-0000-4000-8000-000000000020' }, ALEX.username);
    };
    const guessFrom = (forwardedFor: string) => fetch(`${t.url}/reset?token=${randomBytes(32).toString('base64url')}`, { headers: { 'X-Forwarded-For': forwardedFor } });
    const openFrom = (path: string, forwardedFor: string) => fetch(`${t.url}${path}`, { headers: { 'X-Forwarded-For': forwardedFor } });

    it('behind one proxy, a guesser who changes the first X-Forwarded-For entry each time is still limited', async () => {
      await behind('1');
      const { path } = await emailedLink();
      // The client writes whatever it likes first; the proxy appends the address it really saw.
      for (let i = 0; i < 10; i++) expect((await guessFrom(`192.0.2.${i + 1}, 203.0.113.7`)).status, `guess ${i + 1}`).to.equal(400);
      expect((await openFrom(path, '192.0.2.99, 203.0.113.7')).status).to.equal(429);
      // Someone else behind the same proxy is not held up by it.
      expect((await openFrom(path, '198.51.100.20')).status).to.equal(200);
    });

    it('with a list of proxies, limits the address in front of the listed ones, and the audit log names it', async () => {
      await behind('127.0.0.1, ::1, 10.0.0.0/8');
      const { path, token } = await emailedLink();
      for (let i = 0; i < 10; i++) expect((await guessFrom(`192.0.2.${i + 1}, 203.0.113.7, 10.1.2.3`)).status, `guess ${i + 1}`).to.equal(400);
      expect((await openFrom(path, '203.0.113.7, 10.1.2.3')).status).to.equal(429);

      const changed = await fetch(`${t.url}/reset`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': '192.0.2.200, 198.51.100.20, 10.1.2.3' },
        body: new URLSearchParams({ token, username: ALEX.username, password: NEW_PASSWORD, confirm: NEW_PASSWORD }),
      });
      expect(changed.status).to.equal(200);
      const [event] = (await t.app.audit.list({ username: ALEX.username })).filter((e) => e.channel === 'web');
      expect(event?.actor).to.deep.equal({ kind: 'anonymous', id: '198.51.100.20' });
    });

    it('with no proxy trusted, goes by the connection alone, whatever the header says', async () => {
      await behind('0');
      const { path } = await emailedLink();
      for (let i = 0; i < 10; i++) expect((await guessFrom(`203.0.113.${i + 1}`)).status, `guess ${i + 1}`).to.equal(400);
      expect((await openFrom(path, '198.51.100.20')).status).to.equal(429);
    });
  });

  it('does not count a good link, or a refused password, as a bad attempt', async () => {
    const { path, token } = await emailedLink();
    for (let i = 0; i < 12; i++) expect((await get(path)).status).to.equal(200);
    for (let i = 0; i < 11; i++) expect((await resetWith(token, { password: 'short' })).status).to.equal(400);
    expect((await resetWith(token)).status).to.equal(200);
  });

  it('keeps the link after a refused password, so the person can try another', async () => {
    const { token } = await emailedLink();
    const refused = await resetWith(token, { password: 'password1234' });
    const html = await refused.text();
    expect(refused.status).to.equal(400);
    expect(html).to.contain('commonly used password');
    expect(html).to.not.contain('password1234');
    const accepted = await resetWith(token);
    expect(accepted.status).to.equal(200);
    expect(await accepted.text()).to.contain('Practice password saved').and.contain(ALEX.username);
    const signedIn = await t.app.esr.authenticate({ username: ALEX.username, password: NEW_PASSWORD, actor: { kind: 'anonymous', id: 'test' }, channel: 'web' });
    expect(signedIn.status).to.equal('approved');
  });

  const formProblems: Array<{ problem: string; fields: Partial<Record<'username' | 'password' | 'confirm', string>>; message: string; field: string }> = [
    { problem: 'no username', fields: { username: '' }, message: 'Enter your ESR username', field: 'username' },
    { problem: 'no password', fields: { password: '', confirm: '' }, message: 'Enter a new password', field: 'password' },
    { problem: 'no confirmation', fields: { confirm: '' }, message: 'Confirm your new password', field: 'confirm' },
    { problem: 'a confirmation that differs', fields: { confirm: `${NEW_PASSWORD}!` }, message: 'The passwords do not match', field: 'confirm' },
    { problem: 'a password with the username in it', fields: { password: 'lantern 241ademo01 violin' }, message: 'It contains your ESR username.', field: 'password' },
  ];
  for (const { problem, fields, message, field } of formProblems) {
    it(`explains ${problem} next to the field and in the error summary`, async () => {
      const { token } = await emailedLink();
      const res = await resetWith(token, fields);
      const html = await res.text();
      expect(res.status).to.equal(400);
      expect(html).to.match(new RegExp(`<div class="error-message" id="${field}-error">.*${message.replace(/[.]/g, '\\.')}`));
      expect(html).to.match(new RegExp(`class="error-summary" role="alert"[\\s\\S]*<a href="#${field}">${message.replace(/[.]/g, '\\.')}`));
      expect(html).to.match(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error[^"]*"[^>]*aria-invalid="true"`));
      expect(html).to.contain('<title>Error: ');
      expect((await resetWith(token)).status, 'the link still works').to.equal(200);
    });
  }

  it('emails a notice of the change, with no password in it and who to contact if it was not them', async () => {
    const { token } = await emailedLink();
    expect((await resetWith(token)).status).to.equal(200);
    const notice = (await delivered()).find((m) => m.subject === 'Your ESR password was changed');
    expect(notice, 'a notification email').to.not.equal(undefined);
    expect(notice!.to).to.equal(ALEX.email);
    for (const part of [notice!.text, notice!.html]) {
      expect(part).to.contain(ALEX.username).and.contain('If this was not you, contact the Workforce Information team').and.contain(WORKFORCE_EMAIL);
      expect(part).to.not.contain(NEW_PASSWORD);
      expect(part).to.not.match(/token=/);
    }
  });

  it('unlocks only on the button (POST), and the unlock link then cannot be used again', async () => {
    const { path, token } = await emailedLink('unlock');
    expect((await get(path)).status).to.equal(200);
    expect((await get(path)).status).to.equal(200);
    expect((await post('/unlock', { token })).status).to.equal(200);
    const again = await post('/unlock', { token });
    expect(again.status).to.equal(410);
    expect(await again.text()).to.contain('The link has already been used');
  });
});
