// What several providers read from a turn the same way: the text to send when an image is attached, the image as a
// URL or data URI, config fields, and whether the session already holds a remote conversation id.
import type { BotContext, BotInput } from '../../ports/chatbots.js';

/**
 * The text to send alongside an attached image. The engine's text for an image is `imageMessage|<ref>|<caption>`;
 * with the image attached as a file the caption alone is the question (the whole string when there is none).
 */
export function questionText(input: BotInput): string {
  if (input.image === undefined || !input.text.startsWith('imageMessage|')) return input.text;
  const caption = input.text.split('|').slice(2).join('|');
  return caption === '' ? input.text : caption;
}

/** The image as a URL to fetch: its URL, else a `data:` URI of its bytes. */
export function imageUrl(image: NonNullable<BotInput['image']>): string | undefined {
  if (image.url !== undefined && image.url !== '') return image.url;
  if (image.base64 !== undefined && image.base64 !== '') return dataUri(image);
  return undefined;
}

export function dataUri(image: NonNullable<BotInput['image']>): string | undefined {
  if (image.base64 === undefined || image.base64 === '') return undefined;
  return image.base64.startsWith('data:') ? image.base64 : `data:${image.mimetype};base64,${image.base64}`;
}

/** A file name for the image, from its mimetype (`image.jpeg`, `image.png` …). */
export function imageFileName(image: NonNullable<BotInput['image']>): string {
  const subtype = /^image\/([a-z0-9.+-]+)/i.exec(image.mimetype)?.[1]?.toLowerCase() ?? 'jpeg';
  return `image.${subtype === 'jpeg' ? 'jpg' : subtype}`;
}

/** A string field of the bot's provider config; empty strings count as absent. */
export function configString(ctx: BotContext, field: string): string | undefined {
  const value = ctx.bot.config[field];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Like configString, but the bot cannot work without it. */
export function requiredConfig(ctx: BotContext, provider: string, field: string): string {
  const value = configString(ctx, field);
  if (value === undefined) throw new Error(`${provider} bot ${ctx.bot.id} has no ${field}`);
  return value;
}

/** The session's remote conversation id, or undefined while it still holds its initial value (the remoteJid). */
export function remoteConversation(ctx: BotContext): string | undefined {
  const id = ctx.session.sessionId;
  return id === '' || id === ctx.session.remoteJid ? undefined : id;
}

/** Evolution's variables most providers receive: who wrote and how to call this gateway back. */
export function gatewayVariables(ctx: BotContext, input: BotInput): { remoteJid: string; pushName: string; instanceName: string; serverUrl: string; apiKey: string } {
  // pushName may be unknown; APIs that validate declared inputs as strings refuse null.
  return { remoteJid: ctx.session.remoteJid, pushName: input.pushName ?? '', instanceName: ctx.instance.name, serverUrl: ctx.serverUrl, apiKey: ctx.instance.token };
}

/** `base` without trailing slashes, joined with `path`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
