// The screenshot allow-list and the Teams emulator: in development the emulator's own server (the origin of
// the activity's serviceUrl, on this machine) may be fetched from; nothing else is loosened. Real HTTP
// against a local image server standing in for the emulator.
import { expect } from 'chai';
import { AttachmentFetcher } from '../../bot/attachments.js';
import { png, startImageServer, type ImageServer } from '../support/images.js';

describe('fetching screenshots pasted into the Teams emulator', () => {
  let emulator: ImageServer;
  const development = () => new AttachmentFetcher({ allowedHosts: ['*.sharepoint.com'], maxBytes: 1024 * 1024, allowHttp: true, allowLocalServiceOrigin: true });
  const production = () => new AttachmentFetcher({ allowedHosts: ['*.sharepoint.com'], maxBytes: 1024 * 1024, allowHttp: true, allowLocalServiceOrigin: false });

  before(async () => {
    emulator = await startImageServer();
  });
  after(async () => {
    await emulator.stop();
  });

  it('downloads a file from the emulator that sent the activity, in development', async () => {
    const url = emulator.serve('/attachments/fake-screenshot.png', png());
    const fetched = await development().fetch({ name: 'fake-screenshot.png', url, needsBotToken: true }, 'token', { serviceUrl: emulator.url('/_connector') });
    expect(fetched).to.deep.include({ ok: true, contentType: 'image/png' });
    expect(emulator.requestsFor('/attachments/fake-screenshot.png')).to.have.length(1);
  });

  it('still refuses the emulator when the allowance is off, as in production', async () => {
    const url = emulator.serve('/attachments/prod.png', png());
    const fetched = await production().fetch({ name: 'prod.png', url, needsBotToken: true }, 'token', { serviceUrl: emulator.url('/_connector') });
    expect(fetched).to.deep.equal({ ok: false, name: 'prod.png', reason: 'host_not_allowed' });
    expect(emulator.requestsFor('/attachments/prod.png')).to.have.length(0);
  });

  it('allows only the exact origin of a local serviceUrl: not another port, another loopback name, or a remote serviceUrl', () => {
    const fetcher = development();
    const service = 'http://localhost:56150/_connector';
    expect(fetcher.isAllowed('http://localhost:56150/files/a.png', service)).to.be.true;
    expect(fetcher.isAllowed('http://127.0.0.1:56150/_connector/a.png', 'http://127.0.0.1:56150/_connector')).to.be.true;
    expect(fetcher.isAllowed('http://localhost:8080/admin', service)).to.be.false;
    expect(fetcher.isAllowed('http://127.0.0.1:56150/files/a.png', service)).to.be.false;
    expect(fetcher.isAllowed('http://user:pw@localhost:56150/a.png', service)).to.be.false;
    expect(fetcher.isAllowed('http://localhost:56150/files/a.png')).to.be.false;
    // A Teams serviceUrl is not this machine: its origin gains nothing beyond the allow-list.
    expect(fetcher.isAllowed('https://smba.trafficmanager.net/emea/v3/attachments/x', 'https://smba.trafficmanager.net/emea/')).to.be.false;
    expect(fetcher.isAllowed('https://contoso.sharepoint.com/a.png', service)).to.be.true;
  });
});
