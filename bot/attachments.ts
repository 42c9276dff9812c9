// Screenshots people paste or attach in Teams. Only hosts on the allow-list are ever contacted (so a
// crafted contentUrl cannot make the bot fetch from the internal network), redirects are checked hop by
// hop, downloads stop at the size limit, and the type is read from the bytes, never from the file name.
import { sniffImageType } from '../tickets/imageType.js';

export interface AttachmentRef {
  name: string;
  url: string;
  /** Pasted images need the bot's token; Teams file links are pre-authenticated. */
  needsBotToken: boolean;
}

export type FetchedImage = { ok: true; name: string; bytes: Buffer; contentType: string } | { ok: false; name: string; reason: 'host_not_allowed' | 'too_large' | 'not_an_image' | 'download_failed' };

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** The downloadable things in a message: pasted images and attached files (cards and HTML are ignored). */
export function attachmentRefs(attachments: ReadonlyArray<{ contentType?: string; contentUrl?: string; name?: string; content?: unknown }> | undefined): AttachmentRef[] {
  const refs: AttachmentRef[] = [];
  for (const [i, a] of (attachments ?? []).entries()) {
    const name = a.name?.trim() || `screenshot-${i + 1}`;
    if (a.contentType === FILE_DOWNLOAD_INFO) {
      const url = (a.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
      if (typeof url === 'string') refs.push({ name, url, needsBotToken: false });
    } else if (a.contentType?.startsWith('image/') && a.contentUrl) {
      refs.push({ name, url: a.contentUrl, needsBotToken: true });
    }
  }
  return refs;
}

export interface AttachmentFetcherOptions {
  /** Host names, exact ("smba.trafficmanager.net") or with a leading wildcard ("*.sharepoint.com"). */
  allowedHosts: string[];
  maxBytes: number;
  /** Plain http is refused unless this is set (local development and tests only). */
  allowHttp: boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Development only: also allow the origin (scheme, host and port) of the activity's serviceUrl when that is
   * this machine, which is where Microsoft's Teams emulator serves the files pasted into it. The bot already
   * posts its replies to that origin, so fetching from it reaches nothing new.
   */
  allowLocalServiceOrigin?: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export class AttachmentFetcher {
  readonly #o: AttachmentFetcherOptions;

  constructor(options: AttachmentFetcherOptions) {
    this.#o = options;
  }

  /** `serviceUrl`: where the activity came from (see allowLocalServiceOrigin). */
  isAllowed(url: string, serviceUrl?: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && this.#o.allowHttp)) return false;
    if (parsed.username || parsed.password) return false;
    if (this.#o.allowLocalServiceOrigin && serviceUrl && this.#isLocalOrigin(parsed, serviceUrl)) return true;
    const host = parsed.hostname.toLowerCase();
    return this.#o.allowedHosts.some((pattern) => {
      const p = pattern.trim().toLowerCase();
      return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
    });
  }

  #isLocalOrigin(url: URL, serviceUrl: string): boolean {
    let service: URL;
    try {
      service = new URL(serviceUrl);
    } catch {
      return false;
    }
    return LOOPBACK.has(service.hostname.toLowerCase()) && url.origin === service.origin;
  }

  async fetch(ref: AttachmentRef, token?: string, from: { serviceUrl?: string } = {}): Promise<FetchedImage> {
    const doFetch = this.#o.fetch ?? fetch;
    let url = ref.url;
    for (let hop = 0; hop < 4; hop++) {
      if (!this.isAllowed(url, from.serviceUrl)) return { ok: false, name: ref.name, reason: 'host_not_allowed' };
      let res: Response;
      try {
        res = await doFetch(url, {
          redirect: 'manual',
          headers: ref.needsBotToken && token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(this.#o.timeoutMs ?? 20_000),
        });
      } catch {
        return { ok: false, name: ref.name, reason: 'download_failed' };
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        url = new URL(res.headers.get('location')!, url).toString();
        await res.body?.cancel();
        continue;
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        return { ok: false, name: ref.name, reason: 'download_failed' };
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > this.#o.maxBytes) {
        await res.body.cancel();
        return { ok: false, name: ref.name, reason: 'too_large' };
      }
      const bytes = await readCapped(res.body, this.#o.maxBytes);
      if (!bytes) return { ok: false, name: ref.name, reason: 'too_large' };
      const contentType = sniffImageType(bytes);
      if (!contentType) return { ok: false, name: ref.name, reason: 'not_an_image' };
      return { ok: true, name: ref.name, bytes, contentType };
    }
    return { ok: false, name: ref.name, reason: 'download_failed' };
  }
}

// Reads a body up to `max` bytes; undefined (and the download cancelled) as soon as it goes over.
async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<Buffer | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export const DEFAULT_ATTACHMENT_HOSTS = [
  'smba.trafficmanager.net',
  '*.trafficmanager.net',
  '*.botframework.com',
  '*.teams.microsoft.com',
  '*.teams.cloud.microsoft',
  '*.sharepoint.com',
  '*.skype.com',
  '*.asm.skype.com',
];
