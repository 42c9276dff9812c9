// The ScreenshotStore promises (tickets/ports.ts), for every implementation.
import { expect } from 'chai';
import type { ScreenshotStore } from '../../tickets/ports.js';
import type { Screenshot } from '../../tickets/types.js';
import { jpegBytes, pngBytes } from '../tickets/fixtures.js';
import { rejectionOf, type MakeSubject, type Subject } from './subject.js';

const meta = (id: string, contentType: Screenshot['contentType'] = 'image/png'): Screenshot => ({ id, fileName: 'shot.png', contentType, bytes: 0, sha256: '' });

export function screenshotStoreContract(name: string, make: MakeSubject<ScreenshotStore>): void {
  describe(`${name} keeps the ScreenshotStore contract`, () => {
    let s: Subject<ScreenshotStore>;
    beforeEach(async () => (s = await make()));

    it('reads the bytes back exactly, also after a restart', async () => {
      await s.store.put(7, meta('abc123'), pngBytes());
      await s.store.put(7, meta('def456', 'image/jpeg'), jpegBytes());
      expect((await s.store.get(7, 'abc123'))?.equals(pngBytes())).to.equal(true);
      expect((await (await s.reopen()).get(7, 'def456'))?.equals(jpegBytes())).to.equal(true);
    });

    it('keeps a screenshot as large as the helpdesk accepts (10 MB) whole', async function () {
      this.timeout(30_000);
      const big = pngBytes(10 * 1024 * 1024 - pngBytes(0).length);
      await s.store.put(1, meta('big'), big);
      expect((await s.store.get(1, 'big'))?.equals(big)).to.equal(true);
    });

    it('finds nothing for an unknown ticket or screenshot, or an id that is not file-name-safe', async () => {
      await s.store.put(1, meta('abc'), pngBytes());
      expect(await s.store.get(2, 'abc')).to.equal(undefined);
      expect(await s.store.get(1, 'zzz')).to.equal(undefined);
      expect(await s.store.get(1, '../1/abc')).to.equal(undefined);
    });

    it('refuses ids that could leave its folder, and ticket ids that are not positive whole numbers', async () => {
      expect(await rejectionOf(s.store.put(1, meta('../../evil'), pngBytes()))).to.be.instanceOf(TypeError);
      expect(await rejectionOf(s.store.put(-1, meta('ok'), pngBytes()))).to.be.instanceOf(TypeError);
      expect(await rejectionOf(s.store.get(1.5, 'ok'))).to.be.instanceOf(TypeError);
      expect(await s.store.get(1, 'ok')).to.equal(undefined);
    });

    it('deletes one screenshot, and says whether there was one', async () => {
      await s.store.put(3, meta('a'), pngBytes());
      await s.store.put(3, meta('b', 'image/jpeg'), jpegBytes());
      expect(await s.store.delete(3, 'b')).to.equal(true);
      expect(await s.store.delete(3, 'b')).to.equal(false);
      expect(await s.store.delete(3, '../3/a')).to.equal(false);
      expect(await s.store.get(3, 'a')).to.not.equal(undefined);
    });

    it("deletes a ticket's screenshots, counting them; none for an unknown ticket", async () => {
      await s.store.put(3, meta('a'), pngBytes());
      await s.store.put(3, meta('b'), pngBytes());
      await s.store.put(4, meta('c'), pngBytes());
      expect(await s.store.deleteForTicket(3)).to.equal(2);
      expect(await s.store.get(3, 'a')).to.equal(undefined);
      expect(await s.store.get(4, 'c')).to.not.equal(undefined);
      expect(await s.store.deleteForTicket(99)).to.equal(0);
    });
  });
}
