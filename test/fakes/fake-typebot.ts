// A local Typebot viewer over real HTTP, both chat API versions, playing scripted flows (one step per answer):
//   latest  POST /api/v1/typebots/{publicId}/startChat {prefilledVariables?}   → {sessionId, resultId, typebot, messages, input?, clientSideActions?}
//           POST /api/v1/sessions/{sessionId}/continueChat {message:{type:"text", text}} → {messages, input?, clientSideActions?}
//   old     POST /api/v1/sendMessage {startParams:{typebot|publicId, prefilledVariables}} or {message: "<text>", sessionId}
// A step without `input` ends the flow: the session is gone afterwards (continuing it → 404 "Session not found.").
// Unknown bots answer 404; malformed bodies 400 (`stringMessagesOnly` mimics an older server that only takes a
// plain-string `message`). Every session records its prefilled variables and the user's answers.
import { FakeHttpApi, randomId, type FakeAnswer, type RecordedRequest } from './fake-http-api.js';

export interface TypebotStep {
  messages: Record<string, unknown>[];
  input?: Record<string, unknown>;
  clientSideActions?: Record<string, unknown>[];
}

export interface FakeTypebotSession {
  publicId: string;
  next: number;
  prefilledVariables: Record<string, unknown>;
  answers: string[];
}

export class FakeTypebot extends FakeHttpApi {
  readonly sessions = new Map<string, FakeTypebotSession>();
  /** Every session ever started, including ended ones. */
  readonly started: FakeTypebotSession[] = [];
  stringMessagesOnly = false;
  private readonly flows = new Map<string, TypebotStep[]>();

  /** Publishes a flow under `publicId`. */
  flow(publicId: string, steps: TypebotStep[]): void {
    this.flows.set(publicId, steps);
  }

  /** Forgets a session, as Typebot does when it expires. */
  expire(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  protected errorBody(status: number, message: string): unknown {
    return { message, code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' };
  }

  protected route(r: RecordedRequest): FakeAnswer {
    if (r.method !== 'POST') return this.json(404, { message: 'Not found', code: 'NOT_FOUND' });
    const body = (r.body ?? {}) as Record<string, unknown>;
    const start = /^\/api\/v1\/typebots\/([^/]+)\/startChat$/.exec(r.path);
    if (start !== null) return this.start(decodeURIComponent(start[1]!), body.prefilledVariables);
    const proceed = /^\/api\/v1\/sessions\/([^/]+)\/continueChat$/.exec(r.path);
    if (proceed !== null) {
      const message = body.message as Record<string, unknown> | string | undefined;
      if (typeof message === 'string') return this.continue(decodeURIComponent(proceed[1]!), message);
      if (this.stringMessagesOnly || typeof message?.text !== 'string' || message.type !== 'text') return this.json(400, { message: 'Invalid input: message', code: 'BAD_REQUEST' });
      return this.continue(decodeURIComponent(proceed[1]!), message.text);
    }
    if (r.path === '/api/v1/sendMessage') {
      const params = body.startParams as Record<string, unknown> | undefined;
      if (params !== undefined) {
        const publicId = params.typebot ?? params.publicId;
        if (typeof publicId !== 'string') return this.error(400, 'startParams.typebot is required');
        return this.start(publicId, params.prefilledVariables);
      }
      if (typeof body.sessionId !== 'string' || typeof body.message !== 'string') return this.error(400, 'sessionId and message are required');
      return this.continue(body.sessionId, body.message);
    }
    return this.json(404, { message: 'Not found', code: 'NOT_FOUND' });
  }

  private start(publicId: string, prefilled: unknown): FakeAnswer {
    const steps = this.flows.get(publicId);
    if (steps === undefined) return this.json(404, { message: 'Typebot not found', code: 'NOT_FOUND' });
    if (prefilled !== undefined && (typeof prefilled !== 'object' || prefilled === null || Array.isArray(prefilled))) return this.error(400, 'prefilledVariables must be an object');
    const sessionId = randomId('cl');
    const session: FakeTypebotSession = { publicId, next: 0, prefilledVariables: (prefilled ?? {}) as Record<string, unknown>, answers: [] };
    this.sessions.set(sessionId, session);
    this.started.push(session);
    const step = this.advance(sessionId, session);
    return this.json(200, { sessionId, resultId: randomId('res'), typebot: { id: `tb-${publicId}`, version: '6', theme: {}, settings: {} }, ...step });
  }

  private continue(sessionId: string, text: string): FakeAnswer {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return this.json(404, { message: 'Session not found.', code: 'NOT_FOUND' });
    session.answers.push(text);
    return this.json(200, this.advance(sessionId, session));
  }

  private advance(sessionId: string, session: FakeTypebotSession): Record<string, unknown> {
    const steps = this.flows.get(session.publicId)!;
    const step = steps[session.next] ?? { messages: [] };
    session.next += 1;
    if (step.input === undefined) this.sessions.delete(sessionId);
    const messages = step.messages.map((message, index) => ({ id: `bubble-${session.next}-${index}`, ...message }));
    return { messages, ...(step.input === undefined ? {} : { input: { id: randomId('in'), ...step.input } }), ...(step.clientSideActions === undefined ? {} : { clientSideActions: step.clientSideActions }) };
  }
}

/** A rich-text text bubble of paragraphs of leaves and inline elements. */
export function richTextBubble(...paragraphs: Record<string, unknown>[][]): Record<string, unknown> {
  return { type: 'text', content: { type: 'richText', richText: paragraphs.map((children) => ({ type: 'p', children })) } };
}

/** A text bubble whose single paragraph is plain text. */
export function textBubble(text: string): Record<string, unknown> {
  return richTextBubble([{ text }]);
}
