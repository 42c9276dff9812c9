// The durable record of requests sent to the ESR automation.
import { writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { LowdbAutomationRequestStore } from '../../storage/lowdbAutomationRequests.js';
import { DataFileError } from '../../storage/atomicJsonFile.js';
import { sampleRequest, tempStore } from '../support/automation.js';

const SENT = '2026-01-05T10:00:00.000Z';

describe('the automation request store', () => {
  it('keeps pending and finished requests across a restart', async () => {
    const { store, file } = await tempStore();
    const [a, b] = [sampleRequest(), sampleRequest({ action: 'reactivate', username: 'bea.sample' })];
    await store.begin({ ...a, sentAt: SENT });
    await store.begin({ ...b, sentAt: SENT });
    await store.finish(b.id, 'failed', '2026-01-05T10:01:00.000Z', 'Account not found in ESR');
    const reopened = await LowdbAutomationRequestStore.open(file);
    expect(await reopened.get(a.id)).to.deep.equal({ id: a.id, action: 'unlock', username: 'alex.demo', requestedAt: a.requestedAt, sentAt: SENT, status: 'pending' });
    expect(await reopened.get(b.id)).to.include({ status: 'failed', finishedAt: '2026-01-05T10:01:00.000Z', message: 'Account not found in ESR' });
  });

  it('finishes a request exactly once, even when two try at the same moment', async () => {
    const { store } = await tempStore();
    const r = sampleRequest();
    await store.begin({ ...r, sentAt: SENT });
    const results = await Promise.all([store.finish(r.id, 'done', SENT), store.finish(r.id, 'timed_out', SENT)]);
    expect(results).to.deep.equal(['finished', 'already_finished']);
    expect(await store.get(r.id)).to.include({ status: 'done' });
  });

  it('tells an unknown id from a finished one, whatever the id looks like', async () => {
    const { store } = await tempStore();
    expect(await store.finish(sampleRequest().id, 'done', SENT)).to.equal('unknown');
    expect(await store.finish('__proto__', 'done', SENT)).to.equal('unknown');
    expect(await store.get('constructor')).to.equal(undefined);
  });

  it('lists only pending requests sent before a time', async () => {
    const { store } = await tempStore();
    const [old, recent, done] = [sampleRequest(), sampleRequest(), sampleRequest()];
    await store.begin({ ...old, sentAt: '2026-01-05T09:00:00.000Z' });
    await store.begin({ ...recent, sentAt: '2026-01-05T09:59:00.000Z' });
    await store.begin({ ...done, sentAt: '2026-01-05T09:00:00.000Z' });
    await store.finish(done.id, 'done', SENT);
    expect((await store.pendingSentBefore(new Date('2026-01-05T09:30:00Z'))).map((r) => r.id)).to.deep.equal([old.id]);
  });

  it('refuses to start on a file that is not a request record, leaving it as it is', async () => {
    const { file } = await tempStore();
    await writeFile(file, '{"version":1,"requests":{"x":{"id":"x"}}}');
    let error: unknown;
    await LowdbAutomationRequestStore.open(file).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DataFileError);
  });
});
