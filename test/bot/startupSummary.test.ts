// The plain start-up line: what a person needs to know at a glance, built from parts.
import { expect } from 'chai';
import { loadConfig } from '../../bot/config.js';
import { startupSummary, summaryParts } from '../../bot/startupSummary.js';

describe('the start-up summary line', () => {
  it('says the mode, port, public URL, data folder, store and where mail goes', () => {
    const config = loadConfig({ PORT: '3978' });
    expect(startupSummary(summaryParts(config, { port: 3978, mail: '.eml files in /srv/data/outbox' }))).to.equal(
      'ESR Helpdesk: development mode, ESR simulated (a training copy), listening on port 3978, public URL http://localhost:3978, data in ./data, embedded store, mail written to ./data/outbox',
    );
  });

  it('names the mail server, without its credentials, when SMTP_URL is set', () => {
    const config = loadConfig({ SMTP_URL: 'smtp://user:pass@mail.example.nhs.uk:587', DATA_DIR: '/srv/esr/' });
    const parts = summaryParts(config, { port: 8080, mail: 'smtp://mail.example.nhs.uk:587' });
    expect(parts).to.include('mail sent through smtp://mail.example.nhs.uk:587').and.include('data in /srv/esr/');
    expect(parts.join()).to.not.contain('pass');
  });

  it('takes another part by adding it to the list', () => {
    const parts = summaryParts(loadConfig({}), { port: 3978, mail: '' });
    expect(startupSummary([...parts, 'ESR mode: simulated'])).to.match(/, embedded store, mail written to \.\/data\/outbox, ESR mode: simulated$/);
  });
});
