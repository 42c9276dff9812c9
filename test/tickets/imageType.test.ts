// Screenshot types come from the bytes, never from the file name.
import { expect } from 'chai';
import { extensionFor, sniffImageType } from '../../tickets/imageType.js';
import { gifBytes, jpegBytes, pngBytes, webpBytes } from './fixtures.js';

describe('sniffImageType', () => {
  const images: Array<[string, Buffer, string]> = [
    ['a PNG', pngBytes(), 'image/png'],
    ['a JPEG', jpegBytes(), 'image/jpeg'],
    ['a GIF87a', gifBytes('87a'), 'image/gif'],
    ['a GIF89a', gifBytes('89a'), 'image/gif'],
    ['a WebP', webpBytes(), 'image/webp'],
  ];
  for (const [what, bytes, type] of images) {
    it(`recognises ${what} from its header as ${type}`, () => {
      expect(sniffImageType(bytes)).to.equal(type);
    });
  }

  const notImages: Array<[string, Buffer]> = [
    ['a text file, whatever it is named (e.g. shot.png)', Buffer.from('This is not really a picture\n', 'utf8')],
    ['an empty file', Buffer.alloc(0)],
    ['a PNG signature cut short', pngBytes().subarray(0, 7)],
    ['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1')],
    ['an SVG (script can hide in it)', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['a RIFF file that is a WAV, not a WebP', Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4), Buffer.from('WAVEfmt ', 'latin1')])],
    ['a GIF of an unknown version', Buffer.from('GIF90a\x01\x00\x01\x00', 'latin1')],
    ['an HTML page', Buffer.from('<!doctype html><title>x</title>')],
  ];
  for (const [what, bytes] of notImages) {
    it(`refuses ${what}`, () => {
      expect(sniffImageType(bytes)).to.equal(undefined);
    });
  }

  it('names files by type: png, jpg, gif, webp', () => {
    expect(['image/png', 'image/jpeg', 'image/gif', 'image/webp'].map((t) => extensionFor(t as Parameters<typeof extensionFor>[0]))).to.deep.equal([
      'png',
      'jpg',
      'gif',
      'webp',
    ]);
  });
});
