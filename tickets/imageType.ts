// What kind of image a file is, from its first bytes. A file's name and the type its sender claims are
// never trusted: a text file named shot.png is not a PNG.
import type { ScreenshotType } from './types.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const GIF87 = Buffer.from('GIF87a', 'latin1');
const GIF89 = Buffer.from('GIF89a', 'latin1');
const RIFF = Buffer.from('RIFF', 'latin1');
const WEBP = Buffer.from('WEBP', 'latin1');

const startsWith = (bytes: Buffer, magic: Buffer, at = 0) =>
  bytes.length >= at + magic.length && bytes.subarray(at, at + magic.length).equals(magic);

/** The image type of `bytes` (PNG, JPEG, GIF87a/89a or WebP), or undefined when it is none of these. */
export function sniffImageType(bytes: Buffer): ScreenshotType | undefined {
  if (startsWith(bytes, PNG)) return 'image/png';
  if (startsWith(bytes, JPEG)) return 'image/jpeg';
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return 'image/gif';
  // RIFF, a 4-byte length, then WEBP
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'image/webp';
  return undefined;
}

const EXTENSIONS: Record<ScreenshotType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** The file extension (no dot) for a screenshot type. */
export function extensionFor(type: ScreenshotType): string {
  return EXTENSIONS[type];
}
