// Real image bytes built in code, and a local HTTP server that serves them the way Teams serves pasted
// screenshots, recording every request it gets (so a test can prove a URL was never asked for).
//
//   const images = await startImageServer();
//   const url = images.serve('/shot.png', png({ width: 4, height: 3 }));   // http://localhost:<port>/shot.png
//   images.serve('/big.png', largeImage(12 * MB), { contentLength: false }); // streamed, chunked
//   ...
//   expect(images.requestsFor('/shot.png')).to.have.length(1);
//   await images.stop();
//
// `recordFetches()` wraps the global fetch (which the bot's attachment fetcher uses) to list every URL the
// process asked for and how many body bytes were read from each, even for hosts nothing answers on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

export const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------- images

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** A valid PNG (8-bit RGB, IHDR/IDAT/IEND, CRCs and zlib data correct) of one colour. */
export function png({ width = 2, height = 2, rgb = [0, 94, 184] as [number, number, number] } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // no interlace
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal JFIF JPEG: SOI, APP0 (JFIF), EOI. Enough for anything that reads the type from the bytes. */
export function jpeg(): Buffer {
  const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'latin1'), Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, Buffer.from([0xff, 0xd9])]);
}

/** A complete 1x1 GIF89a (header, screen descriptor, palette, image, trailer). */
export function gif(): Buffer {
  return Buffer.from('47494638396101000100800000000000ffffff2c00000000010001000002024401003b', 'hex');
}

/** A complete 1x1 lossless WebP (RIFF, WEBP, one VP8L chunk padded to an even length). */
export function webp(): Buffer {
  return Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
}

/** A text file: what a "screenshot.png" that is not a picture really holds. */
export function textFile(text = 'These are my notes, not a screenshot.\n'): Buffer {
  return Buffer.from(text, 'utf8');
}

/**
 * A body of `size` bytes that starts as a PNG (so only its size can get it refused), produced on demand
 * in 64 KB chunks rather than held in memory.
 */
export interface LargeImage {
  size: number;
  chunks(): Generator<Buffer>;
}

export function largeImage(size: number): LargeImage {
  const head = png();
  const filler = Buffer.alloc(64 * 1024, 0x5a);
  return {
    size,
    *chunks() {
      yield head;
      let left = size - head.length;
      while (left > 0) {
        const n = Math.min(left, filler.length);
        yield n === filler.length ? filler : filler.subarray(0, n);
        left -= n;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------- server

export interface ImageRequest {
  method: string;
  /** The Host header as the client sent it ("localhost:41234", "127.0.0.1:41234"). */
  host: string;
  path: string;
  authorization?: string;
  /** Body bytes the server handed to the socket before the response ended or the client went away. */
  bytesSent: number;
  /** The whole body was sent. */
  completed: boolean;
  /** The client closed the connection before the whole body was sent. */
  aborted: boolean;
}

export interface ServeOptions {
  /** Send Content-Length (default true); false streams the body chunked, so the size is unknown up front. */
  contentLength?: boolean;
  /** The Content-Type header (default image/png: what a sender claims, never to be trusted). */
  contentType?: string;
}

interface Served {
  body: Buffer | LargeImage;
  options: ServeOptions;
}

export class ImageServer {
  /** Every request, in order of arrival, whatever its host or path. */
  readonly requests: ImageRequest[] = [];
  readonly #files = new Map<string, Served>();
  readonly #server: Server;
  readonly #closed: Array<Promise<void>> = [];

  constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The URL of a path through the name the bot is allowed to fetch from (ATTACHMENT_HOSTS=localhost). */
  url(path: string): string {
    return `http://localhost:${this.port}${path}`;
  }

  /** The same path through the IP address: a host the bot must never contact. */
  ipUrl(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Serves `body` at `path`; returns its localhost URL. */
  serve(path: string, body: Buffer | LargeImage, options: ServeOptions = {}): string {
    this.#files.set(path, { body, options });
    return this.url(path);
  }

  requestsFor(path: string): ImageRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves once every response started so far has finished or been abandoned by its client. */
  async settled(): Promise<void> {
    await Promise.all(this.#closed);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const record: ImageRequest = {
      method: req.method ?? 'GET',
      host: req.headers.host ?? '',
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      bytesSent: 0,
      completed: false,
      aborted: false,
    };
    this.requests.push(record);
    const served = this.#files.get(path);
    if (!served) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const size = Buffer.isBuffer(served.body) ? served.body.length : served.body.size;
    const headers: Record<string, string | number> = { 'content-type': served.options.contentType ?? 'image/png' };
    if (served.options.contentLength !== false) headers['content-length'] = size;
    res.writeHead(200, headers);
    const chunks = Buffer.isBuffer(served.body) ? [served.body][Symbol.iterator]() : served.body.chunks();
    this.#closed.push(
      new Promise<void>((resolve) => {
        res.on('close', () => {
          record.aborted = !record.completed;
          resolve();
        });
        // Writes one chunk at a time and waits for the socket to drain: a client that stops reading stops the server.
        const pump = (): void => {
          for (;;) {
            if (res.destroyed) return;
            const next = chunks.next();
            if (next.done) {
              res.end(() => {
                record.completed = true;
              });
              return;
            }
            record.bytesSent += next.value.length;
            if (!res.write(next.value)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        pump();
      }),
    );
  }
}

/** Starts an image server on a free port of 127.0.0.1. */
export async function startImageServer(): Promise<ImageServer> {
  return new ImageServer().listen();
}

// ---------------------------------------------------------------------------------------------- fetch spy

export interface FetchRecord {
  url: string;
  host: string;
  /** Body bytes the caller read from the response (0 until it reads). */
  bytesRead: number;
}

export interface FetchSpy {
  readonly calls: FetchRecord[];
  /** Calls whose URL's host (name only, no port) is `host`. */
  to(host: string): FetchRecord[];
  restore(): void;
}

/**
 * Wraps globalThis.fetch until `restore()`: every call is listed with the body bytes its caller read. A call
 * to a host that nothing answers on (169.254.169.254) is listed too, before it fails.
 */
export function recordFetches(): FetchSpy {
  const original = globalThis.fetch;
  const calls: FetchRecord[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const record: FetchRecord = { url, host: hostOf(url), bytesRead: 0 };
    calls.push(record);
    const res = await original(input, init);
    if (!res.body) return res;
    const counting = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          record.bytesRead += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counting, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  globalThis.fetch = wrapped;
  return {
    calls,
    to: (host) => calls.filter((c) => c.host === host),
    restore: () => {
      globalThis.fetch = original;
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
