// The common part of the fake bot-provider APIs: a real node:http server on 127.0.0.1:0 that records every request
// (`requests`: method, path, query, headers, parsed JSON or multipart body) and can be scripted for the next request
// (an error status, an answer held until the client gives up, a delay). Each fake adds its API's routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart, type MultipartPart } from './fake-graph.js';

export type { MultipartPart };

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (tests read it freely, hence `any`). */
  body?: any;
  multipart?: MultipartPart[];
  raw: Buffer;
  /** What the fake answered (0 while held). */
  status: number;
}

export interface FakeAnswer {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  /** Server-sent events, written as given (each already `event:`/`data:` lines) and separated by blank lines. */
  sse?: string[];
}

type Scripted = { kind: 'answer'; answer: FakeAnswer } | { kind: 'hang' } | { kind: 'delay'; ms: number };

export abstract class FakeHttpApi {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Scripted[] = [];
  private server: Server | undefined;
  private port = 0;

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next request answers `status` with the API's own error body. */
  failNext(status: number, message = 'scripted failure'): void {
    this.script.push({ kind: 'answer', answer: { status, json: this.errorBody(status, message) } });
  }

  /** The next request answers exactly this. */
  answerNext(answer: FakeAnswer): void {
    this.script.push({ kind: 'answer', answer });
  }

  /** The next request is never answered: the client's timeout must end it. */
  hangNext(): void {
    this.script.push({ kind: 'hang' });
  }

  /** The next request is answered normally after `ms`. */
  delayNext(ms: number): void {
    this.script.push({ kind: 'delay', ms });
  }

  /** Requests to one path, in order. */
  to(path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  protected abstract route(request: RecordedRequest): FakeAnswer | Promise<FakeAnswer>;

  /** The API's error body for a status and message. */
  protected abstract errorBody(status: number, message: string): unknown;

  protected json(status: number, json: unknown): FakeAnswer {
    return { status, json };
  }

  protected error(status: number, message: string): FakeAnswer {
    return { status, json: this.errorBody(status, message) };
  }

  /** The Bearer token of a request, if any. */
  protected bearer(request: RecordedRequest): string | undefined {
    const auth = request.headers.authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw, status: 0 };
    const contentType = req.headers['content-type'] ?? '';
    let malformed = false;
    if (contentType.startsWith('application/json')) {
      try {
        record.body = JSON.parse(raw.toString('utf8'));
      } catch {
        malformed = true;
      }
    } else if (contentType.startsWith('multipart/form-data')) {
      record.multipart = parseMultipart(raw, contentType);
    }
    this.requests.push(record);

    const scripted = this.script.shift();
    if (scripted?.kind === 'hang') return; // answered never; the socket closes when the client aborts or on close()
    if (scripted?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, scripted.ms));
    let answer: FakeAnswer;
    if (scripted?.kind === 'answer') answer = scripted.answer;
    else if (malformed) answer = this.error(400, 'malformed JSON body');
    else {
      try {
        answer = await this.route(record);
      } catch (error) {
        answer = this.error(500, error instanceof Error ? error.message : String(error));
      }
    }
    record.status = answer.status;
    if (res.destroyed) return;
    if (answer.sse !== undefined) {
      res.writeHead(answer.status, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      // Written one event per chunk, as a streaming server does.
      for (const event of answer.sse) res.write(`${event}\n\n`);
      res.end();
      return;
    }
    if (answer.text !== undefined) {
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain; charset=utf-8' });
      res.end(answer.text);
      return;
    }
    if (answer.json === undefined) {
      res.writeHead(answer.status, answer.contentType === undefined ? {} : { 'content-type': answer.contentType });
      res.end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer.json));
  }
}

/** A short random id. */
export function randomId(prefix = ''): string {
  return `${prefix}${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
}
