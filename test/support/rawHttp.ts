// A bare HTTP/1.1 client over a TCP socket, for requests that fetch refuses to send: Content-Length that
// lies, repeated or odd headers, bodies cut off mid-way. One request per connection (Connection: close).
import { connect } from 'node:net';

export interface RawRequest {
  method?: string;
  path: string;
  /** Sent as given, in order (duplicates allowed); Host and Connection are added unless present. */
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  /** Send the body as one chunk of Transfer-Encoding: chunked (and add that header). */
  chunked?: boolean;
  /** Send this many bytes of the body, then cut the connection. */
  cutAfter?: number;
  /** Wait for the answer after the headers only, sending no body at all. */
  headersOnly?: boolean;
  /**
   * Half-close the connection once the body is sent (for a Content-Length that promises more than is sent).
   * Node's server then drops the request, so a complete one may go unanswered: real clients do not do this.
   */
  halfClose?: boolean;
  timeoutMs?: number;
}

export interface RawAnswer {
  /** The status code, or undefined when the server closed the connection without answering. */
  status: number | undefined;
  head: string;
  body: string;
  timedOut: boolean;
}

export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? Buffer.alloc(0));
  const headers = [...(request.headers ?? [])];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has('host')) headers.unshift(['Host', url.host]);
  if (!has('connection')) headers.push(['Connection', 'close']);
  if (request.chunked && !has('transfer-encoding')) headers.push(['Transfer-Encoding', 'chunked']);
  const head = `${request.method ?? 'POST'} ${request.path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const payload = request.chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;

  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let timedOut = false;
    const socket = connect(Number(url.port), url.hostname);
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, request.timeoutMs ?? 10_000);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      // Interim answers (100 Continue) come before the real one.
      const text = Buffer.concat(received).toString('utf8').replace(/^(HTTP\/1\.[01] 1\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const split = text.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : undefined, head: split >= 0 ? text.slice(0, split) : text, body: split >= 0 ? text.slice(split + 4) : '', timedOut });
    });
    socket.on('connect', () => {
      socket.write(head);
      if (request.headersOnly) return;
      if (request.cutAfter !== undefined) {
        socket.write(payload.subarray(0, request.cutAfter), () => socket.destroy());
        return;
      }
      if (request.halfClose) socket.end(payload);
      else socket.write(payload);
    });
  });
}
