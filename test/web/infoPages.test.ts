// The about, privacy and terms pages that the Teams app package links to.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/testApp.js';

describe('the about, privacy and terms pages', () => {
  let t: TestApp;
  before(async () => (t = await startTestApp({ env: { TRUST_NAME: 'Example NHS Foundation Trust', RETENTION_DAYS: '60' } })));
  after(() => t.stop({ keepData: false }));

  for (const [path, heading] of [
    ['/about', 'About the ESR Helpdesk'],
    ['/privacy', 'Privacy notice'],
    ['/terms', 'Terms of use'],
  ] as const) {
    it(`serves ${path} in the Trust's words, with the same security headers as every page`, async () => {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      expect(res.headers.get('content-security-policy')).to.contain("default-src 'none'");
      const html = await res.text();
      expect(html).to.contain(heading).and.contain('Example NHS Foundation Trust');
      expect(html).not.to.match(/\{\w+\}/);
    });
  }

  it('says in the privacy notice how long ticket screenshots are kept, from RETENTION_DAYS', async () => {
    expect(await (await fetch(`${t.url}/privacy`)).text()).to.contain('deleted 60 days after');
  });

  describe('in guided mode', () => {
    let guided: TestApp;
    before(async () => (guided = await startTestApp({ env: { ESR_MODE: 'guided', RETENTION_DAYS: '60' } })));
    after(() => guided.stop({ keepData: false }));

    it('says the bot never holds an ESR password or date of birth, and mentions no reset links or password boxes', async () => {
      const privacy = await (await fetch(`${guided.url}/privacy`)).text();
      const terms = await (await fetch(`${guided.url}/terms`)).text();
      expect(privacy).to.contain('never sees, asks for or keeps your ESR password or your date of birth').and.contain('deleted 60 days after');
      for (const html of [privacy, terms]) {
        expect(html).not.to.match(/argon2id|reset and unlock links|secure boxes/i);
        expect(html).not.to.match(/\{\w+\}/);
      }
    });
  });
});
