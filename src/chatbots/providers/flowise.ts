// Flowise: `POST apiUrl` (the full prediction URL of the chatflow). Memory is keyed by `overrideConfig.sessionId`,
// the remoteJid as in Evolution; Evolution's variables go in `overrideConfig.vars`. An image goes in `uploads`, as a
// URL or as a base64 data URI. The reply is `text` (or `json` for structured-output flows).
import type { BotContext, BotInput, BotTurn, ChatbotProvider } from '../../ports/chatbots.js';
import { bearer, record, sendJson, str, unexpected } from './http.js';
import { configString, dataUri, gatewayVariables, imageFileName, questionText, requiredConfig } from './input.js';

const PROVIDER = 'Flowise';

export const flowiseProvider: ChatbotProvider = {
  name: 'flowise',
  async reply(ctx: BotContext, input: BotInput): Promise<BotTurn> {
    const apiKey = configString(ctx, 'apiKey');
    const uploads = imageUploads(input);
    const body = {
      question: uploads.length > 0 ? questionText(input) : input.text,
      overrideConfig: {
        sessionId: ctx.session.remoteJid,
        vars: { messageId: input.key.id, fromMe: input.key.fromMe, ...gatewayVariables(ctx, input) },
      },
      ...(uploads.length > 0 ? { uploads } : {}),
    };
    const call = {
      provider: PROVIDER, fetch: ctx.fetch, url: requiredConfig(ctx, PROVIDER, 'apiUrl'), headers: bearer(apiKey), json: body,
      timeoutMs: ctx.timeoutMs, secrets: [apiKey, ctx.instance.token],
    };
    const answer = await sendJson(call);
    const object = record(answer);
    if (object === undefined && typeof answer !== 'string') throw unexpected(call, 'answered neither an object nor text', answer);
    const text = object === undefined ? (answer as string) : str(object.text) ?? (object.json === undefined ? undefined : JSON.stringify(object.json));
    const trimmed = text?.trim() ?? '';
    return { replies: trimmed === '' ? [] : [{ kind: 'text', text: trimmed }] };
  },
};

function imageUploads(input: BotInput): Record<string, string>[] {
  const image = input.image;
  if (image === undefined) return [];
  const name = imageFileName(image);
  if (image.url !== undefined && image.url !== '' && !image.url.startsWith('data:')) return [{ data: image.url, type: 'url', name, mime: image.mimetype }];
  const data = image.url?.startsWith('data:') === true ? image.url : dataUri(image);
  return data === undefined ? [] : [{ data, type: 'file', name, mime: image.mimetype }];
}
