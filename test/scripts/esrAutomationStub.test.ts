// The reference endpoint behind `npm run esr-automation:stub`: it checks signatures like a Trust's should.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { signBody, verifyBody } from '../../esr/automation/signature.js';
import { startAutomationStub } from '../../scripts/esr-automation-stub.js';
import { SECRET } from '../support/automation.js';

describe('the reference automation endpoint (esr-automation:stub)', () => {
  it('refuses a request without a valid signature with 401, and answers a signed one', async () => {
    const stub = await startAutomationStub({ secret: SECRET, mode: 'done' });
    try {
      const body = '{"id":"3b0c6f6e-8d4e-4c53-9a53-2f1f1d1f7a10","action":"unlock"}';
      const unsigned = await fetch(stub.url, { method: 'POST', body });
      expect(unsigned.status).to.equal(401);
      const forged = await fetch(stub.url, { method: 'POST', body, headers: { 'X-ESR-Helpdesk-Signature': signBody('not-the-shared-secret-but-long-enough', body, new Date()) } });
      expect(forged.status).to.equal(401);
      const signed = await fetch(stub.url, { method: 'POST', body, headers: { 'X-ESR-Helpdesk-Signature': signBody(SECRET, body, new Date()) } });
      expect(signed.status).to.equal(200);
      expect(await signed.json()).to.deep.equal({ outcome: 'done' });
      expect(stub.received.map((r) => r.signature.ok)).to.deep.equal([false, false, true]);
    } finally {
      await stub.close();
    }
  });

  it('in accepted mode answers 202, then POSTs a signed callback to the request\'s callbackUrl', async () => {
    const seen: Array<{ raw: string; header: string }> = [];
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ raw, header: String(req.headers['x-esr-helpdesk-signature']) });
        // Two calls: once restify is loaded, its writeHead (patched onto every ServerResponse) returns nothing.
        res.writeHead(200);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const stub = await startAutomationStub({ secret: SECRET, mode: 'accepted', callbackOutcome: 'failed' });
    try {
      const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/esr-automation/callback`;
      const body = JSON.stringify({ id: '3b0c6f6e-8d4e-4c53-9a53-2f1f1d1f7a10', action: 'reactivate', callbackUrl });
      const answer = await fetch(stub.url, { method: 'POST', body, headers: { 'X-ESR-Helpdesk-Signature': signBody(SECRET, body, new Date()) } });
      expect(answer.status).to.equal(202);
      expect((await stub.callbacks[0]!).status).to.equal(200);
      expect(JSON.parse(seen[0]!.raw)).to.deep.equal({ id: '3b0c6f6e-8d4e-4c53-9a53-2f1f1d1f7a10', outcome: 'failed', message: 'The stub reports failed' });
      expect(verifyBody(SECRET, seen[0]!.raw, seen[0]!.header, new Date())).to.deep.equal({ ok: true });
    } finally {
      await stub.close();
      await new Promise((r) => receiver.close(r));
    }
  });
});
