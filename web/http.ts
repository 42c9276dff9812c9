// Small helpers for the bot's own web pages: security headers, HTML responses, static files, client ids.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Server } from 'restify';
import { clientAddress, type TrustProxy } from './clientAddress.js';

// A strict policy: our own stylesheet and script only, no inline code, no framing, forms post to us.
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store, max-age=0',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export function sendHtml(res: Response, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml', png: 'image/png' };

/** Serves the files in web/static at /static/<name> (a fixed list: nothing else on disk is reachable). */
export function addStaticFiles(server: Server, names: string[]): void {
  for (const name of names) {
    const body = readFileSync(`${STATIC_DIR}${name}`);
    const type = TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
    server.get(`/static/${name}`, async (_req: Request, res: Response) => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff', 'Content-Length': body.length });
      res.end(body);
      return Promise.resolve();
    });
  }
}

/** Who is asking, for per-visitor limits: the address the first untrusted hop connected from (web/clientAddress.ts). */
export function clientId(req: Request, trustProxy: TrustProxy): string {
  return clientAddress(req.socket.remoteAddress, req.header('x-forwarded-for') || undefined, trustProxy);
}

export function queryField(req: Request, name: string): string {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export function formField(req: Request, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body && typeof body === 'object' ? body[name] : undefined;
  return typeof value === 'string' ? value : '';
}
