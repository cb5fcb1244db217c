// Voice notes → text through OpenAI's transcription API (whisper-1), with the instance's OpenAI key (compat §6.7).
export interface TranscribeOptions {
  fetch: typeof fetch;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** LANGUAGE: `pt` when it mentions pt, else its first two letters; omitted when unset. */
  language?: string;
}

export async function transcribe(audio: { data: Buffer; mimetype: string }, o: TranscribeOptions): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(audio.data)], { type: audio.mimetype || 'audio/ogg' }), 'audio.ogg');
  form.set('model', 'whisper-1');
  if (o.language) form.set('language', o.language.toLowerCase().includes('pt') ? 'pt' : o.language.slice(0, 2).toLowerCase());
  const response = await o.fetch(`${o.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.apiKey}` },
    body: form,
    signal: AbortSignal.timeout(o.timeoutMs),
  });
  if (!response.ok) throw new Error(`OpenAI transcription answered HTTP ${response.status}`);
  const body = (await response.json()) as { text?: unknown };
  if (typeof body.text !== 'string') throw new Error('OpenAI transcription answered without text');
  return body.text;
}
