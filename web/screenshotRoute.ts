// GET /screenshots/:ticketId/:screenshotId?exp=&sig= : a ticket's screenshot for agents, by signed link only.
import type { Request, Response, Server } from 'restify';
import type { Clock } from '../core/clock.js';
import { sniffImageType } from '../tickets/imageType.js';
import type { ScreenshotStore } from '../tickets/ports.js';
import { PAGE_HEADERS, queryField } from './http.js';
import type { LinkSigner } from './signedLinks.js';

export function screenshotRoute(deps: { screenshots: ScreenshotStore; signer: LinkSigner; clock: Clock }) {
  return (server: Server): void => {
    server.get('/screenshots/:ticketId/:screenshotId', async (req: Request, res: Response) => {
      const { ticketId, screenshotId } = req.params as { ticketId: string; screenshotId: string };
      const path = `/screenshots/${ticketId}/${screenshotId}`;
      const id = Number(ticketId);
      if (!Number.isInteger(id) || !/^[A-Za-z0-9_-]{1,100}$/.test(screenshotId) || !deps.signer.verify(path, queryField(req, 'exp'), queryField(req, 'sig'), deps.clock.now())) {
        res.writeHead(403, { ...PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('This link has expired or is not valid. Open the ticket again for a fresh link.');
        return;
      }
      const bytes = await deps.screenshots.get(id, screenshotId);
      const type = bytes ? sniffImageType(bytes) : undefined;
      if (!bytes || !type) {
        res.writeHead(404, { ...PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Not found (screenshots are deleted some time after a ticket is resolved).');
        return;
      }
      res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': type, 'Content-Length': bytes.length, 'Content-Disposition': 'inline' });
      res.end(bytes);
    });
  };
}
