// OpenAI bot type `assistant` on the Responses and Conversations APIs (the Assistants API was shut down on
// 2026-08-26). A conversation is created once per session (its id is the session's sessionId); each turn posts the
// user's message to `/responses` in that conversation. The bot's `assistantId` is used as a dashboard prompt id;
// a legacy `asst_…` id cannot be, so such bots need `model` (and take `systemMessages` as instructions).
// Function calls are run against `functionUrl` and their outputs posted back until the model answers with a message.
import type { BotContext, BotInput, BotTurn } from '../../ports/chatbots.js';
import { bearer, parseJson, record, send, sendJson, str, unexpected, type ProviderCall } from './http.js';
import { configString, imageUrl, joinUrl, questionText, remoteConversation } from './input.js';

const PROVIDER = 'OpenAI';
/** Model/function round trips in one turn before giving up (a model calling functions forever must not hang the bot). */
const MAX_FUNCTION_ROUNDS = 8;

interface FunctionCall {
  callId: string;
  name: string;
  arguments: string;
}

export async function responsesTurn(ctx: BotContext, input: BotInput, apiKey: string): Promise<BotTurn> {
  const api = (path: string, json: unknown): ProviderCall => ({
    provider: PROVIDER, fetch: ctx.fetch, url: joinUrl(ctx.openAiBaseUrl, path), headers: bearer(apiKey), json, timeoutMs: ctx.timeoutMs, secrets: [apiKey],
  });
  const conversation = existingConversation(ctx) ?? (await createConversation(ctx, api));
  const reference = modelReference(ctx);
  const image = input.image === undefined ? undefined : imageUrl(input.image);
  const content: Record<string, unknown>[] = [{ type: 'input_text', text: image === undefined ? input.text : questionText(input) }];
  if (image !== undefined) content.push({ type: 'input_image', image_url: image });

  let turnInput: unknown[] = [{ role: 'user', content }];
  for (let round = 0; round <= MAX_FUNCTION_ROUNDS; round++) {
    const call = api('responses', { ...reference, conversation, input: turnInput });
    const response = record(await sendJson(call));
    if (response === undefined || !Array.isArray(response.output)) throw unexpected(call, 'answered a response without output', response);
    if (response.status === 'failed') throw unexpected(call, 'answered a failed response', response.error ?? response);
    const calls = functionCalls(response.output);
    if (calls.length === 0) {
      const text = outputText(response.output);
      return { replies: text === '' ? [] : [{ kind: 'text', text }], sessionId: conversation };
    }
    turnInput = [];
    for (const fn of calls) turnInput.push({ type: 'function_call_output', call_id: fn.callId, output: await runFunction(ctx, input, fn) });
  }
  throw new Error(`${PROVIDER} kept calling functions after ${MAX_FUNCTION_ROUNDS} rounds without answering`);
}

/** The session's conversation; a legacy Assistants thread id (`thread_…`) cannot be continued. */
function existingConversation(ctx: BotContext): string | undefined {
  const id = remoteConversation(ctx);
  return id === undefined || id.startsWith('thread_') ? undefined : id;
}

async function createConversation(ctx: BotContext, api: (path: string, json: unknown) => ProviderCall): Promise<string> {
  const call = api('conversations', { metadata: { remoteJid: ctx.session.remoteJid, instanceName: ctx.instance.name } });
  const created = record(await sendJson(call));
  const id = str(created?.id);
  if (id === undefined || id === '') throw unexpected(call, 'created a conversation without an id', created);
  return id;
}

/** `prompt` for a dashboard prompt id, else `model` (+ `instructions` from systemMessages). */
function modelReference(ctx: BotContext): Record<string, unknown> {
  const assistantId = configString(ctx, 'assistantId');
  const model = configString(ctx, 'model');
  const maxTokens = ctx.bot.config.maxTokens;
  const limit = typeof maxTokens === 'number' && maxTokens > 0 ? { max_output_tokens: maxTokens } : {};
  if (assistantId !== undefined && !assistantId.startsWith('asst_')) return { prompt: { id: assistantId }, ...limit };
  if (model === undefined) {
    throw new Error(
      `OpenAI bot ${ctx.bot.id}: the Assistants API was shut down on 2026-08-26, so assistant ${assistantId ?? '(none)'} cannot be used; ` +
        'set assistantId to a prompt id (pmpt_…) or give the bot a model',
    );
  }
  const system = ctx.bot.config.systemMessages;
  const instructions = Array.isArray(system) ? system.filter((s): s is string => typeof s === 'string' && s !== '').join('\n') : '';
  return { model, ...(instructions === '' ? {} : { instructions }), ...limit };
}

function functionCalls(output: unknown[]): FunctionCall[] {
  const calls: FunctionCall[] = [];
  for (const item of output.map(record)) {
    if (item?.type !== 'function_call') continue;
    const callId = str(item.call_id);
    const name = str(item.name);
    if (callId !== undefined && name !== undefined) calls.push({ callId, name, arguments: str(item.arguments) ?? '{}' });
  }
  return calls;
}

/** Joins the `output_text` parts of the message items (reasoning and other items are skipped). */
function outputText(output: unknown[]): string {
  const parts: string[] = [];
  for (const item of output.map(record)) {
    if (item?.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content.map(record)) {
      const text = part?.type === 'output_text' ? str(part.text) : undefined;
      if (text !== undefined) parts.push(text);
    }
  }
  return parts.join('\n').trim();
}

/**
 * `POST functionUrl {functionName, functionArguments:{...args, remoteJid, pushName}}`; the answer (JSON or text) is
 * the function's output. A failing function is reported to the model as `{"error": …}` so it can still answer.
 */
async function runFunction(ctx: BotContext, input: BotInput, fn: FunctionCall): Promise<string> {
  const functionUrl = configString(ctx, 'functionUrl');
  if (functionUrl === undefined) return JSON.stringify({ error: `no functionUrl is configured to run ${fn.name}` });
  let args: Record<string, unknown>;
  try {
    args = record(JSON.parse(fn.arguments)) ?? {};
  } catch {
    return JSON.stringify({ error: `the arguments of ${fn.name} are not valid JSON` });
  }
  const call = {
    provider: `OpenAI function ${fn.name}`, fetch: ctx.fetch, url: functionUrl, timeoutMs: ctx.timeoutMs,
    json: { functionName: fn.name, functionArguments: { ...args, remoteJid: ctx.session.remoteJid, pushName: input.pushName } },
  };
  try {
    const response = await send(call);
    const parsed = response.contentType.includes('json') ? parseJson(call, response.text) : response.text;
    return typeof parsed === 'string' ? parsed : JSON.stringify(parsed ?? null);
  } catch (error) {
    return JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
  }
}
