// What each ESR mode serves, over the real HTTP server: guided and automation have no reset or unlock pages
// and send no links (against the real ESR a link from us could change nothing); simulated, the training
// copy, says so on every page and in every email that carries a link.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import type { OutgoingMail } from '../../mail/transport.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';
import { KeepingTransport } from '../support/keepingTransport.js';

const ALEX = { username: '241ADEMO01', email: 'alex.demo@nhs-trust.example', dateOfBirth: '1985-03-14' };
const CHRIS = { username: '241CTEST01', email: 'chris.test@nhs-trust.example', dateOfBirth: '1978-11-30' };
const NEW_PASSWORD = 'copper meadow violin tide';
const TRAINING_NOTICE = 'This is a training copy of ESR';
const AUTOMATION = { ESR_AUTOMATION_URL: 'http://127.0.0.1:9/esr-robot', ESR_AUTOMATION_SECRET: 'a-shared-secret-of-at-least-32-characters' };


async function start(env: Record<string, string>): Promise<{ t: TestApp; mail: KeepingTransport }> {
  const mail = new KeepingTransport();
  const t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), mailTransport: mail, env });
  return { t, mail };
}

async function delivered(t: TestApp, mail: KeepingTransport): Promise<OutgoingMail[]> {
  await t.app.background.idle();
  await t.app.mail.deliverDue();
  return mail.sent;
}

/** The training-copy notice as the page shows it: a labelled note, not just words somewhere. */
function expectTrainingNotice(html: string): void {
  const note = /<div class="notice" role="note" aria-labelledby="notice-label">(.*?)<\/div>/s.exec(html)?.[1];
  expect(note, 'a role="note" notice').to.be.a('string');
  expect(note).to.contain('<strong>Training copy of ESR</strong>').and.contain(TRAINING_NOTICE).and.contain('changes your real ESR account');
}

for (const mode of ['guided', 'automation'] as const) {
  describe(`in ${mode} mode, against the real ESR`, () => {
    let t: TestApp;
    let mail: KeepingTransport;
    before(async () => {
      ({ t, mail } = await start({ ESR_MODE: mode, ...(mode === 'automation' ? AUTOMATION : {}) }));
    });
    after(() => t.stop({ keepData: false }));

    it(`says "${mode}" in /healthz`, async () => {
      const res = await fetch(`${t.url}/healthz`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.include({ status: 'ok', esrMode: mode });
    });

    for (const path of ['/reset', '/unlock']) {
      it(`answers 404 to GET and POST ${path}, with or without a token`, async () => {
        for (const url of [`${t.url}${path}`, `${t.url}${path}?token=${'A'.repeat(43)}`]) {
          expect((await fetch(url)).status, `GET ${url}`).to.equal(404);
          const posted = await fetch(`${t.url}${path}`, { method: 'POST', body: new URLSearchParams({ token: 'A'.repeat(43), username: ALEX.username, password: NEW_PASSWORD, confirm: NEW_PASSWORD }) });
          expect(posted.status, `POST ${path}`).to.equal(404);
        }
      });
    }

    it('does not serve the reset page script, but still styles its other pages', async () => {
      expect((await fetch(`${t.url}/static/reset.js`)).status).to.equal(404);
      expect((await fetch(`${t.url}/static/esr-helpdesk.css`)).status).to.equal(200);
      expect((await fetch(`${t.url}/about`)).status).to.equal(200);
    });

    it('sends no reset or unlock link, even for an account that is set up, and issues no token', async () => {
      await t.setUpAtWork(DEMO_USERS.alex, ALEX.username);
      for (const [kind, who] of [['password', ALEX], ['unlock', CHRIS]] as const) {
        t.app.esr.requestAccountHelp({ kind, email: who.email, dateOfBirth: who.dateOfBirth, username: who.username, actor: { kind: 'staff', id: `asker-${kind}` }, channel: 'teams' });
      }
      const sent = await delivered(t, mail);
      expect(sent.map((m) => m.text).join('\n')).to.not.match(/token=|\/reset|\/unlock/);
      expect(sent).to.deep.equal([]);
    });
  });
}

describe('in simulated mode, the training copy of ESR', () => {
  let t: TestApp;
  let mail: KeepingTransport;
  before(async () => {
    ({ t, mail } = await start({ ESR_MODE: 'simulated' }));
    await t.setUpAtWork(DEMO_USERS.alex, ALEX.username);
  });
  after(() => t.stop({ keepData: false }));

  let asked = 0;
  const emailedLink = async (kind: 'password' | 'unlock'): Promise<{ mail: OutgoingMail; token: string }> => {
    const before = mail.sent.length;
    const who = kind === 'password' ? ALEX : CHRIS;
    t.app.esr.requestAccountHelp({ kind, email: who.email, dateOfBirth: who.dateOfBirth, username: who.username, actor: { kind: 'staff', id: `asker-${++asked}` }, channel: 'teams' });
    // Other mail may arrive meanwhile (the "password changed" notice of an earlier reset): take the link's.
    const sent = (await delivered(t, mail)).slice(before).find((m) => m.text.includes('?token='));
    const token = /\/(?:reset|unlock)\?token=([\w-]+)/.exec(sent?.text ?? '')?.[1];
    if (!sent || !token) throw new Error('no link was emailed');
    return { mail: sent, token };
  };

  it('says "simulated" in /healthz', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).to.include({ esrMode: 'simulated' });
  });

  for (const kind of ['password', 'unlock'] as const) {
    it(`puts the training-copy notice at the top of the ${kind === 'password' ? 'reset' : 'unlock'} email, in both parts, and never sends people to the real ESR with it`, async () => {
      const { mail: sent } = await emailedLink(kind);
      expect(sent.text.split('\n\n')[0]).to.match(/^TRAINING COPY OF ESR: This is a training copy of ESR/);
      expect(sent.html).to.match(/<div role="note"[^>]*><p[^>]*>Training copy of ESR<\/p><p[^>]*>This is a training copy of ESR/);
      expect(sent.text).to.not.contain('You can log in at');
    });
  }

  it('shows the notice on the reset form, its errors and its success page, and on the unlock form and its success page', async () => {
    const reset = await emailedLink('password');
    const pages = [
      await fetch(`${t.url}/reset?token=${reset.token}`),
      await fetch(`${t.url}/reset`, { method: 'POST', body: new URLSearchParams({ token: reset.token, username: '', password: 'short', confirm: '' }) }),
      await fetch(`${t.url}/reset`, { method: 'POST', body: new URLSearchParams({ token: reset.token, username: ALEX.username, password: NEW_PASSWORD, confirm: NEW_PASSWORD }) }),
    ];
    const unlock = await emailedLink('unlock');
    pages.push(await fetch(`${t.url}/unlock?token=${unlock.token}`));
    pages.push(await fetch(`${t.url}/unlock`, { method: 'POST', body: new URLSearchParams({ token: unlock.token }) }));
    expect(pages.map((p) => p.status)).to.deep.equal([200, 400, 200, 200, 200]);
    for (const page of pages) expectTrainingNotice(await page.text());
  });

  it('ends a reset with a green confirmation panel and a next step that is not "log in to the real ESR with it"', async () => {
    const { token } = await emailedLink('password');
    const res = await fetch(`${t.url}/reset`, { method: 'POST', body: new URLSearchParams({ token, username: ALEX.username, password: 'amber willow canal frost', confirm: 'amber willow canal frost' }) });
    const html = await res.text();
    expect(res.status).to.equal(200);
    const panel = /<div class="panel panel--confirmation">(.*?)<\/div>/s.exec(html)?.[1] ?? '';
    expect(panel).to.contain('<h1>Practice password saved</h1>').and.contain('your real ESR account and its password have not changed');
    expect(html).to.contain('What to do next').and.contain('To change your real ESR password, use ESR itself');
    expect(html).to.not.match(/You can now log in|log in to ESR with your username|with your new password at/i);
  });

  it('shows every problem at once when the username is blank: the password and confirmation errors too, each linked from the summary', async () => {
    const { token } = await emailedLink('password');
    const res = await fetch(`${t.url}/reset`, { method: 'POST', body: new URLSearchParams({ token, username: '', password: 'password1234', confirm: 'something else entirely' }) });
    const html = await res.text();
    expect(res.status).to.equal(400);
    const summary = /<div class="error-summary"[^>]*>(.*?)<\/div>/s.exec(html)?.[1] ?? '';
    const links = [...summary.matchAll(/<a href="#(\w+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).to.deep.equal([
      ['username', 'Enter your ESR username'],
      ['password', 'It is a commonly used password, or a common word with numbers or symbols added. Choose something less predictable.'],
      ['confirm', 'The passwords do not match. Type the same password in both boxes.'],
    ]);
    for (const field of ['username', 'password', 'confirm']) expect(html).to.contain(`id="${field}-error"`);
    expect(html).to.not.contain('password1234');
  });

  it('writes its rules as one sentence and calls the button "Save new password", after the rules', async () => {
    const { token } = await emailedLink('password');
    const html = await (await fetch(`${t.url}/reset?token=${token}`)).text();
    expect(html).to.contain('<h2 id="rules-title">Your password must:</h2>');
    expect(html).to.contain('be at least 12 characters long').and.contain('not be a commonly used password');
    expect(html).to.contain('>Save new password</button>').and.not.contain('Confirm password</button>');
    expect(html.indexOf('id="rules"'), 'the rules come before the button in the page').to.be.below(html.indexOf('type="submit"'));
  });
});
