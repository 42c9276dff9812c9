// The UploadStaging promises (tickets/ports.ts), for every implementation: screenshots kept aside while a
// report is written, read back whole by whichever instance files the report, and purged when never sent.
import { expect } from 'chai';
import { HOUR, ManualClock } from '../../core/clock.js';
import type { UploadStaging } from '../../tickets/ports.js';
import { MAX_SCREENSHOT_BYTES } from '../../tickets/ticketService.js';
import { jpegBytes, pngBytes } from '../tickets/fixtures.js';
import { rejectionOf, type MakeSubject, type Subject } from './subject.js';

const png = (name = 'error.png') => ({ name, contentType: 'image/png', bytes: pngBytes() });

/** `make(now)`: stores that stamp uploads with `now()`. */
export function uploadStagingContract(name: string, make: (now: () => Date) => MakeSubject<UploadStaging>): void {
  describe(`${name} keeps the UploadStaging contract`, () => {
    let clock: ManualClock;
    let s: Subject<UploadStaging>;
    beforeEach(async () => {
      clock = new ManualClock('2026-01-05T10:00:00Z');
      s = await make(() => clock.now())();
    });

    it('keeps the bytes whole under a new file-name-safe id, and reads them back, also after a restart', async () => {
      const kept = await s.store.keep({ name: 'my screen.jpg', contentType: 'image/jpeg', bytes: jpegBytes() });
      expect(kept).to.deep.include({ name: 'my screen.jpg', contentType: 'image/jpeg', bytes: jpegBytes().length });
      expect(kept.id).to.match(/^[A-Za-z0-9_-]{1,64}$/);
      expect((await s.store.read(kept.id))?.equals(jpegBytes())).to.equal(true);
      expect((await (await s.reopen()).read(kept.id))?.equals(jpegBytes())).to.equal(true);
    });

    it('gives every upload its own id, so two of the same name are both kept', async () => {
      const [a, b] = await Promise.all([s.store.keep(png()), s.store.keep({ ...png(), bytes: pngBytes(10) })]);
      expect(a.id).to.not.equal(b.id);
      expect((await s.store.read(a.id))?.equals(pngBytes())).to.equal(true);
      expect((await s.store.read(b.id))?.equals(pngBytes(10))).to.equal(true);
    });

    it('keeps an upload as large as a screenshot may be (10 MB) and refuses one byte more, keeping nothing', async function () {
      this.timeout(30_000);
      const largest = pngBytes(MAX_SCREENSHOT_BYTES - pngBytes(0).length);
      const kept = await s.store.keep({ ...png(), bytes: largest });
      expect((await s.store.read(kept.id))?.length).to.equal(MAX_SCREENSHOT_BYTES);
      expect(await rejectionOf(s.store.keep({ ...png(), bytes: Buffer.concat([largest, Buffer.alloc(1)]) }))).to.be.instanceOf(RangeError);
      clock.advance(HOUR);
      expect(await s.store.purgeBefore(clock.now())).to.equal(1);
    });

    it('finds nothing for an unknown id, or one that could leave its folder', async () => {
      const kept = await s.store.keep(png());
      expect(await s.store.read('nosuchupload')).to.equal(undefined);
      expect(await s.store.read(`../${kept.id}`)).to.equal(undefined);
      expect(await s.store.read('')).to.equal(undefined);
    });

    it('discards the uploads named, ignoring unknown and unsafe ids, and leaves the others', async () => {
      const [a, b, c] = [await s.store.keep(png('a.png')), await s.store.keep(png('b.png')), await s.store.keep(png('c.png'))];
      await s.store.discard([a.id, b.id, 'nosuchupload', '../../etc']);
      expect(await s.store.read(a.id)).to.equal(undefined);
      expect(await s.store.read(b.id)).to.equal(undefined);
      expect(await s.store.read(c.id)).to.not.equal(undefined);
      await s.store.discard([]);
      expect(await s.store.read(c.id)).to.not.equal(undefined);
    });

    it('purges the uploads kept before the cutoff, counting them, and keeps the later ones', async () => {
      const old = await s.store.keep(png('old.png'));
      clock.advance(20 * HOUR);
      const recent = await s.store.keep(png('recent.png'));
      clock.advance(5 * HOUR);
      expect(await s.store.purgeBefore(new Date(clock.now().getTime() - 24 * HOUR))).to.equal(1);
      expect(await s.store.read(old.id)).to.equal(undefined);
      expect(await s.store.read(recent.id)).to.not.equal(undefined);
      expect(await s.store.purgeBefore(new Date(clock.now().getTime() - 24 * HOUR))).to.equal(0);
    });

    it('lets another instance read, discard and purge what one instance kept (no shared disk needed)', async function () {
      if (!s.beside) this.skip();
      const other = await s.beside();
      const kept = await s.store.keep(png());
      expect((await other.read(kept.id))?.equals(pngBytes())).to.equal(true);
      await other.discard([kept.id]);
      expect(await s.store.read(kept.id)).to.equal(undefined);
      await s.store.keep(png());
      clock.advance(HOUR);
      expect(await other.purgeBefore(clock.now())).to.equal(1);
    });
  });
}
