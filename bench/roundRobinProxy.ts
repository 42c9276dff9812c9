// The load balancer in front of several bot instances for `npm run bench -- --instances=N`: forwards each
// request to the next instance in turn and keeps no state (no affinity: a conversation's turns land on
// whichever instance is next, as behind a load balancer without sticky sessions). Only a small HTTP/1.1
// forwarder, with connections to the instances kept alive. Runs in its own process:
//   PROXY_TARGETS=http://127.0.0.1:4001,http://127.0.0.1:4002 PORT=0 node --import tsx bench/roundRobinProxy.ts
// It prints "proxy listening on port N" when ready, and a line for each request it sends again.
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface ProxyEvents {
  /** A request failed and was answered 502. */
  onError?: (message: string) => void;
  /** A request was sent again on a new connection (the instance had closed the kept-alive one). */
  onResend?: (message: string) => void;
}

export function roundRobinProxy(targets: URL[], events: ProxyEvents = {}): Server {
  if (targets.length === 0) throw new Error('the proxy needs at least one target');
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = targets[next]!;
    next = (next + 1) % targets.length;
    // Read whole (a chat turn's activity is a few KB), so it can be sent again; see below.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(Buffer.concat(chunks), true));
    const forward = (body: Buffer, mayRetry: boolean) => {
      const upstream = request(
        // The second try on a connection of its own: the pool may hold more connections the instance has closed.
        { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: mayRetry ? agent : false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        // The instance closed an idle kept-alive connection just as this request went out on it: nothing
        // reached it, so sending once more on a new connection is safe (what Node's docs advise). "socket
        // hang up" is ECONNRESET too.
        if (mayRetry && upstream.reusedSocket && error.code === 'ECONNRESET') {
          events.onResend?.(`${req.method} ${req.url} to ${target.host}: ${error.message}`);
          forward(body, false);
          return;
        }
        events.onError?.(`${req.method} ${req.url} to ${target.host} failed: ${error.message}`);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${target.host} failed: ${error.message}`);
      });
      upstream.end(body);
    };
  });
  server.keepAliveTimeout = 30_000;
  server.on('close', () => agent.destroy());
  return server;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const targets = (process.env.PROXY_TARGETS ?? '').split(',').filter(Boolean).map((t) => new URL(t));
  const server = roundRobinProxy(targets, {
    onError: (message) => process.stderr.write(`proxy error: ${message}\n`),
    // The bench counts these lines (bench/processes.ts).
    onResend: (message) => process.stdout.write(`proxy resent on a new connection: ${message}\n`),
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`proxy listening on port ${(server.address() as AddressInfo).port} for ${targets.map((t) => t.host).join(', ')}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
