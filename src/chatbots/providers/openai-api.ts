// OpenAI calls outside a bot turn: the models list (`/openai/getModels`) and Whisper speech-to-text (audio messages).
import { bearer, parseJson, record, send, sendJson, str, unexpected } from './http.js';
import { joinUrl } from './input.js';

const PROVIDER = 'OpenAI';
const TRANSCRIBE_TIMEOUT_MS = 60_000;

/** `GET {baseUrl}/models` → the `data` array, as Evolution's getModels answers it. */
export async function listOpenAiModels(fetchFn: typeof fetch, baseUrl: string, apiKey: string, timeoutMs: number): Promise<Record<string, unknown>[]> {
  const call = { provider: PROVIDER, fetch: fetchFn, url: joinUrl(baseUrl, 'models'), headers: bearer(apiKey), timeoutMs, secrets: [apiKey] };
  const body = record(await sendJson(call));
  if (body === undefined || !Array.isArray(body.data)) throw unexpected(call, 'answered a models list without data', body);
  return body.data.filter((model): model is Record<string, unknown> => record(model) !== undefined);
}

/**
 * `POST {baseUrl}/audio/transcriptions` (multipart, model `whisper-1`) → the text. `language` may be a locale such as
 * `pt-BR`; Whisper wants ISO-639-1, so only its first two letters are sent.
 */
export async function transcribeAudio(
  fetchFn: typeof fetch,
  baseUrl: string,
  apiKey: string,
  audio: Buffer,
  mimetype: string,
  language?: string,
  timeoutMs = TRANSCRIBE_TIMEOUT_MS,
): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(audio)], { type: mimetype }), `audio.${audioExtension(mimetype)}`);
  form.append('model', 'whisper-1');
  const iso = /^[a-z]{2}/i.exec(language ?? '')?.[0]?.toLowerCase();
  if (iso !== undefined) form.append('language', iso);
  const call = { provider: PROVIDER, fetch: fetchFn, url: joinUrl(baseUrl, 'audio/transcriptions'), headers: bearer(apiKey), form, timeoutMs, secrets: [apiKey] };
  const response = await send(call);
  // `response_format` defaults to json; a compatible server may answer plain text.
  if (!response.contentType.includes('json')) return response.text.trim();
  const text = str(record(parseJson(call, response.text))?.text);
  if (text === undefined) throw unexpected(call, 'answered a transcription without text', response.text);
  return text.trim();
}

function audioExtension(mimetype: string): string {
  const subtype = /^audio\/([a-z0-9.+-]+)/i.exec(mimetype)?.[1]?.toLowerCase() ?? 'ogg';
  const known: Record<string, string> = { mpeg: 'mp3', mp4: 'm4a', 'x-m4a': 'm4a', 'x-wav': 'wav', wave: 'wav', webm: 'webm', ogg: 'ogg', opus: 'ogg', wav: 'wav', mp3: 'mp3', flac: 'flac' };
  return known[subtype] ?? 'ogg';
}
