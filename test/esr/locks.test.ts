// The in-process locks the embedded store uses (one process, so nobody to share with): a conversation's turns
// queue behind each other, other conversations do not, and every periodic job runs.
import { expect } from 'chai';
import { inProcessLocks } from '../../core/locks.js';
import { rejectionOf } from '../contracts/subject.js';

describe('the in-process locks (embedded store)', () => {
  it('runs the turns of one conversation one after another, and another conversation meanwhile', async () => {
    const { turns } = inProcessLocks();
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = turns.run('conv-a', async () => {
      events.push('first starts');
      await held;
      events.push('first ends');
    });
    const second = turns.run('conv-a', () => Promise.resolve(void events.push('second runs')));
    await turns.run('conv-b', () => Promise.resolve(void events.push('other conversation runs')));
    // Everything that could run without the first turn ending has run by the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).to.deep.equal(['first starts', 'other conversation runs']);
    release();
    await Promise.all([first, second]);
    expect(events).to.deep.equal(['first starts', 'other conversation runs', 'first ends', 'second runs']);
  });

  it('lets the next turn run when one throws', async () => {
    const { turns } = inProcessLocks();
    expect(((await rejectionOf(turns.run('conv-a', () => Promise.reject(new Error('the dialog broke'))))) as Error).message).to.equal('the dialog broke');
    expect(await turns.run('conv-a', () => Promise.resolve('next'))).to.equal('next');
  });

  it('runs every periodic job, each time it is asked', async () => {
    const { jobs } = inProcessLocks();
    expect(await jobs.runExclusive('housekeeping', () => Promise.resolve(1))).to.deep.equal({ ran: true, value: 1 });
    expect(await jobs.runExclusive('housekeeping', () => Promise.resolve(2))).to.deep.equal({ ran: true, value: 2 });
  });
});
