// A local S3 for tests, path-style only (`/<bucket>/<key>`), speaking enough of the REST API for @aws-sdk/client-s3:
// PUT/GET/HEAD/DELETE object, HEAD bucket. Every request must carry AWS SigV4 auth — an `Authorization` header, or
// query-string auth (presigned URLs, `X-Amz-Signature`) — for the expected access key id; when constructed with the
// secret it also verifies the signature itself (and presigned expiry). Records every request.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3Request {
  method: string;
  path: string;
  bucket: string;
  key: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  auth: 'header' | 'query' | 'none';
  bodyLength: number;
}

export interface FakeS3Object {
  data: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

interface SigV4 {
  accessKeyId: string;
  scope: string[]; // date, region, service, 'aws4_request'
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  expires?: number;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class FakeS3 {
  readonly requests: FakeS3Request[] = [];
  /** `<bucket>/<key>` → object. */
  readonly objects = new Map<string, FakeS3Object>();
  readonly buckets: Set<string>;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly accessKeyId: string,
    private readonly secretAccessKey: string | undefined,
    buckets: string[],
  ) {
    this.buckets = new Set(buckets);
  }

  /** `secretAccessKey`: when given, signatures are verified in full; otherwise only their presence and key id. */
  static async start(options: { accessKeyId: string; secretAccessKey?: string; buckets: string[] }): Promise<FakeS3> {
    let fake: FakeS3 | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fake = new FakeS3(server, url, options.accessKeyId, options.secretAccessKey, options.buckets);
    return fake;
  }

  object(bucket: string, key: string): FakeS3Object | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const query = parseQuery(rawQuery);
    const [, bucketPart = '', ...keyParts] = path.split('/');
    const bucket = decodeURIComponent(bucketPart);
    const key = decodeURIComponent(keyParts.join('/'));
    const method = req.method ?? 'GET';
    const sig = parseAuth(req.headers, query);
    this.requests.push({ method, path, bucket, key, query, headers: req.headers, auth: sig ? (query['X-Amz-Signature'] ? 'query' : 'header') : 'none', bodyLength: body.length });

    if (!sig || sig.accessKeyId !== this.accessKeyId) return this.error(res, method, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (this.secretAccessKey !== undefined && sig.signature !== this.expectedSignature(method, path, rawQuery, req.headers, sig)) {
      return this.error(res, method, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    if (sig.expires !== undefined && Date.now() > amzDateToMs(sig.amzDate) + sig.expires * 1000) {
      return this.error(res, method, 403, 'AccessDenied', 'Request has expired');
    }
    if (/^[0-9a-f]{64}$/.test(sig.payloadHash) && sig.payloadHash !== sha256(body)) {
      return this.error(res, method, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    if (!this.buckets.has(bucket)) return this.error(res, method, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (Object.keys(query).some((k) => !k.startsWith('X-Amz-') && k !== 'x-id')) {
      return this.error(res, method, 501, 'NotImplemented', `sub-resource ?${rawQuery} is not supported by the fake`);
    }
    if (key === '') {
      if (method === 'HEAD') return void res.writeHead(200).end();
      return this.error(res, method, 501, 'NotImplemented', `${method} bucket is not supported by the fake`);
    }
    const id = `${bucket}/${key}`;
    switch (method) {
      case 'PUT': {
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        const contentType = String(req.headers['content-type'] ?? 'binary/octet-stream');
        this.objects.set(id, { data: body, contentType, etag, lastModified: new Date() });
        return void res.writeHead(200, { ETag: etag }).end();
      }
      case 'GET':
      case 'HEAD': {
        const object = this.objects.get(id);
        if (!object) return this.error(res, method, 404, 'NoSuchKey', 'The specified key does not exist.', key);
        res.writeHead(200, {
          'Content-Type': object.contentType,
          'Content-Length': object.data.length,
          ETag: object.etag,
          'Last-Modified': object.lastModified.toUTCString(),
        });
        return void res.end(method === 'GET' ? object.data : undefined);
      }
      case 'DELETE':
        this.objects.delete(id);
        return void res.writeHead(204).end();
      default:
        return this.error(res, method, 405, 'MethodNotAllowed', `${method} is not allowed`);
    }
  }

  /** AWS Signature Version 4 (S3 flavour: the canonical URI is the path exactly as sent). */
  private expectedSignature(method: string, path: string, rawQuery: string, headers: IncomingHttpHeaders, sig: SigV4): string {
    const canonicalQuery = rawQuery
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
        const v = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
        return [rfc3986(k), rfc3986(v)] as const;
      })
      .filter(([k]) => k !== 'X-Amz-Signature')
      .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalHeaders = sig.signedHeaders
      .map((h) => `${h}:${String(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
      .join('');
    const canonicalRequest = [method, path, canonicalQuery, canonicalHeaders, sig.signedHeaders.join(';'), sig.payloadHash].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', sig.amzDate, sig.scope.join('/'), sha256(canonicalRequest)].join('\n');
    let key: Buffer | string = `AWS4${this.secretAccessKey}`;
    for (const part of sig.scope) key = hmac(key, part);
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }

  private error(res: ServerResponse, method: string, status: number, code: string, message: string, key?: string): void {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message>` +
      `${key !== undefined ? `<Key>${xml(key)}</Key>` : ''}<RequestId>${randomUUID()}</RequestId></Error>`;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
  }
}

function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  return out;
}

function parseAuth(headers: IncomingHttpHeaders, query: Record<string, string>): SigV4 | undefined {
  if (query['X-Amz-Signature'] !== undefined) {
    if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256' || !query['X-Amz-Credential'] || !query['X-Amz-Date']) return undefined;
    const [accessKeyId = '', ...scope] = query['X-Amz-Credential'].split('/');
    return {
      accessKeyId, scope, amzDate: query['X-Amz-Date'], signature: query['X-Amz-Signature'],
      signedHeaders: (query['X-Amz-SignedHeaders'] ?? 'host').split(';'),
      payloadHash: query['X-Amz-Content-Sha256'] ?? 'UNSIGNED-PAYLOAD', expires: Number(query['X-Amz-Expires'] ?? 0),
    };
  }
  const match = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(String(headers.authorization ?? ''));
  if (!match) return undefined;
  const [accessKeyId = '', ...scope] = match[1]!.split('/');
  return {
    accessKeyId, scope, amzDate: String(headers['x-amz-date'] ?? ''), signature: match[3]!,
    signedHeaders: match[2]!.split(';'), payloadHash: String(headers['x-amz-content-sha256'] ?? ''),
  };
}

function amzDateToMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : 0;
}
