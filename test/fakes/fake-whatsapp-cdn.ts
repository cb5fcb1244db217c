// A fake WhatsApp media CDN over real HTTP. Media is encrypted the way WhatsApp does it, by Baileys' own
// `encryptedStream` (media key → HKDF → AES-256-CBC + HMAC, `.enc` = ciphertext ‖ 10-byte MAC), and served at a
// `directPath`-style path; the message fields a sender would put in an image/audio message come with it. Media can
// be expired (404, what the CDN answers once WhatsApp dropped it) to exercise the re-upload request.
import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptedStream, type MediaType } from 'baileys';
import Long from 'long';

export interface CdnMedia {
  /** The message's `url` (this server's address + path: Baileys downloads it as is when there is no directPath). */
  url: string;
  directPath: string;
  mediaKey: Uint8Array;
  fileEncSha256: Uint8Array;
  fileSha256: Uint8Array;
  fileLength: Long;
  mediaKeyTimestamp: Long;
}

export class FakeWhatsAppCdn {
  /** Every request: path and status answered. */
  readonly requests: { path: string; status: number }[] = [];
  private readonly files = new Map<string, Buffer>();
  private readonly expired = new Set<string>();
  private server: http.Server | undefined;
  private base = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const file = this.files.get(path);
      const status = file === undefined || this.expired.has(path) ? 404 : 200;
      this.requests.push({ path, status });
      if (status !== 200) res.writeHead(status).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file!.length) }).end(file);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get url(): string {
    return this.base;
  }

  /** Encrypts `plain` as WhatsApp media of `type` and serves it; returns the fields of the message that names it. */
  async upload(plain: Buffer, type: MediaType): Promise<CdnMedia> {
    const enc = await encryptedStream(plain, type);
    try {
      const directPath = `/v/t62.7118-24/${randomBytes(8).toString('hex')}.enc`;
      this.files.set(directPath, await readFile(enc.encFilePath));
      return {
        url: `${this.base}${directPath}`,
        directPath,
        mediaKey: enc.mediaKey,
        fileEncSha256: enc.fileEncSha256,
        fileSha256: enc.fileSha256,
        fileLength: Long.fromNumber(enc.fileLength, true),
        mediaKeyTimestamp: Long.fromNumber(1717171717),
      };
    } finally {
      await unlink(enc.encFilePath).catch(() => undefined);
    }
  }

  /** The CDN no longer has it (404) until `restore`. */
  expire(media: CdnMedia): void {
    this.expired.add(media.directPath);
  }

  /** Serves the same encrypted file again under a new path (what a re-upload by the phone produces). */
  reupload(media: CdnMedia): CdnMedia {
    const directPath = `/v/t62.7118-24/${randomBytes(8).toString('hex')}.enc`;
    this.files.set(directPath, this.files.get(media.directPath)!);
    return { ...media, directPath, url: `${this.base}${directPath}` };
  }

  /** Requests for one media path. */
  hits(media: CdnMedia): number[] {
    return this.requests.filter((r) => r.path === media.directPath).map((r) => r.status);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
