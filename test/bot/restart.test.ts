// State survives a restart: a person half-way through a conversation carries on where they were, and the
// welcome is not sent a second time.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp } from '../support/testApp.js';

describe('a restart of the bot', () => {
  it('lets a user half-way through forgotten password carry on from the next question', async () => {
    const first = await startTestApp();
    const alex = first.user({ ...DEMO_USERS.alex, conversationId: 'a:alex-restart' });
    await alex.say('I forgot my password');
    const askedDob = await alex.say('alex.demo@nhs-trust.example');
    expect(askedDob.map(replyText).join('\n')).to.contain('date of birth');
    await first.stop();

    const second = await startTestApp({ dataDir: first.dataDir });
    try {
      const again = second.user({ ...DEMO_USERS.alex, conversationId: 'a:alex-restart' });
      const afterDob = (await again.say('14/03/1985')).map(replyText).join('\n');
      expect(afterDob).to.contain('14 March 1985').and.contain('ESR username');
      expect(afterDob).not.to.contain("I'm the ESR Helpdesk");
      const done = (await again.say('skip')).map(replyText).join('\n');
      expect(done).to.contain('If the details match an ESR account');
      await second.app.background.idle();
      await second.app.mail.deliverDue();
      expect(await second.app.mail.pending()).to.have.length(0);
    } finally {
      await second.stop({ keepData: false });
    }
  });

  it('removes attachment folders that no queued email names (a crash between the two writes) and says so in the log', async () => {
    const first = await startTestApp();
    await first.stop();
    await mkdir(join(first.dataDir, 'mail-queue-attachments', '11111111-1111-4111-8111-111111111111'), { recursive: true });
    const second = await startTestApp({ dataDir: first.dataDir });
    try {
      const line = JSON.parse(await second.waitForLog('Removed attachment folders no queued email named')) as { folders: number };
      expect(line.folders).to.equal(1);
    } finally {
      await second.stop({ keepData: false });
    }
  });
});
