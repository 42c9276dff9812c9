// Reads every request body through one guarded path: decodes Content-Encoding (identity, gzip, deflate, br)
// as a stream, stops at a byte limit counted AFTER decoding (so a small compressed "bomb" cannot fill
// memory), and parses JSON and urlencoded forms into req.body. Nothing a client sends or does (bad
// encodings, bad JSON, cutting the connection) can throw out of here: it becomes a 4xx or a quiet stop.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** Thrown (internally) when the client went away mid-body: there is no one to answer. */
class ClientGone extends Error {}

// JSON nested deeper than this is refused: deep nesting breaks recursive code further on (stringify, clone).
export const MAX_JSON_DEPTH = 64;

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const ignore = () => {};

/** Reads the whole body, decoded, refusing it (BodyError 413) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    // Listeners that outlive us: a late error on a stream we gave up on must never go unhandled.
    req.on('error', ignore);

    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      reject(new BodyError(413, `The body is larger than this address accepts (${limit} bytes).`));
      return;
    }
    const encodings = (req.headers['content-encoding'] ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e && e !== 'identity');
    if (encodings.length > 1 || (encodings.length === 1 && !DECODERS[encodings[0]!])) {
      reject(new BodyError(415, `Unsupported Content-Encoding "${req.headers['content-encoding']}"; use gzip, deflate, br or none.`));
      return;
    }
    const decoder = encodings.length === 1 ? DECODERS[encodings[0]!]!() : undefined;
    decoder?.on('error', ignore);

    const chunks: Buffer[] = [];
    let decoded = 0;
    let received = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) {
        // Stop inflating at once; the server closes the connection with its answer, dropping the rest.
        if (decoder) {
          req.unpipe(decoder);
          decoder.destroy();
        }
        req.pause();
        chunks.length = 0;
        reject(error);
      } else resolve(Buffer.concat(chunks, decoded));
    };
    const tooLarge = () => new BodyError(413, `The body is larger than this address accepts (${limit} bytes).`);

    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) finish(tooLarge());
    });
    const output = decoder ?? req;
    output.on('data', (chunk: Buffer) => {
      if (settled) return;
      decoded += chunk.length;
      if (decoded > limit) return finish(tooLarge());
      chunks.push(chunk);
    });
    output.on('end', () => finish());
    decoder?.on('error', () => finish(new BodyError(400, `The body is not valid ${encodings[0]} data.`)));
    req.on('error', () => finish(new ClientGone()));
    req.on('close', () => {
      if (!req.complete) finish(new ClientGone());
    });
    if (decoder) req.pipe(decoder);
  });
}

/** Parses a decoded body by its Content-Type: JSON and urlencoded forms; anything else stays unparsed. */
export function parseBody(contentType: string | undefined, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)) {
    const text = body.toString('utf8').replace(/^\uFEFF/, '');
    if (jsonDepth(text) > MAX_JSON_DEPTH) throw new BodyError(400, `Malformed JSON: nested deeper than ${MAX_JSON_DEPTH} levels.`);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new BodyError(400, `Malformed JSON: ${(error as Error).message}`);
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    // A plain record with no prototype; the first value of a repeated field wins.
    const form: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) if (!(name in form)) form[name] = value;
    return form;
  }
  return undefined;
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), without parsing it. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) max = Math.max(max, ++depth);
    else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/**
 * Restify middleware: reads and parses the body into req.body with the limit `limitFor` gives the path.
 * Refusals are answered here, as JSON, on a connection then closed so no unread body lingers.
 */
export function bodyReader(limitFor: (path: string) => number) {
  return (req: IncomingMessage & { body?: unknown; path(): string }, res: ServerResponse, next: (arg?: false) => void): void => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (!hasBody) {
      next();
      return;
    }
    readBody(req, limitFor(req.path()))
      .then((buffer) => {
        req.body = parseBody(req.headers['content-type'], buffer);
        next();
      })
      .catch((error: unknown) => {
        if (error instanceof BodyError && !res.headersSent && !res.destroyed && !req.socket.destroyed) {
          const text = JSON.stringify({ error: error.message });
          res.writeHead(error.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
          res.end(text);
        } else if (!(error instanceof BodyError) && !(error instanceof ClientGone)) {
          res.destroy();
        }
        next(false);
      });
  };
}
