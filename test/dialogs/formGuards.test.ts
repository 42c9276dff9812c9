// While the masked password form waits, typed text is treated as a password typed in the wrong place; and
// forms that are cancelled or used after their conversation moved on are cleared.
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

async function stateText(t: TestApp): Promise<string> {
  const dir = join(t.dataDir, 'state');
  const files = await readdir(dir);
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
}

describe('the password form', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(() => t.stop({ keepData: false }));

  it('keeps a passphrase typed into the chat out of the conversation, the transcript and the state', async () => {
    const alex = t.user(DEMO_USERS.alex);
    await alex.say('set up ESR from home');
    const replies = await alex.say('purple walrus dancing quietly');
    const said = replies.map(replyText).join('\n');
    expect(said).to.contain('secure boxes on the card');
    expect(said).not.to.contain('purple walrus');
    expect(await stateText(t)).not.to.contain('purple walrus');
    expect(t.logs.join('\n')).not.to.contain('purple walrus');
    // The form is still waiting: help and cancel still work.
    expect((await alex.say('cancel')).map(replyText).join('\n')).to.contain("I've stopped setting up ESR from home");
  });

  it('clears a form that is submitted after its conversation has moved on', async () => {
    const alex = t.user(DEMO_USERS.alex);
    await alex.say('set up ESR from home');
    await alex.say('cancel');
    const replies = await alex.submit({ action: 'setPassword', newPassword: 'x', confirmPassword: 'x' }, '');
    expect(replies.map(replyText).join('\n')).to.contain('That form is no longer in use');
  });

  it('gives the password help when someone on the way to the app types "help" at the password form', async () => {
    const alex = t.user(DEMO_USERS.alex);
    await alex.say('how do I get the app');
    const form = await alex.say('iphone');
    expect(form.map(replyText).join('\n')).to.contain('Set your ESR password');
    const help = (await alex.say('help')).map(replyText).join('\n');
    expect(help).to.contain('Type the same password in both boxes');
    expect(help).not.to.contain('something went wrong');
  });
});
