// What a client asks a channel to send, in domain terms (the send routes map Evolution's bodies onto this).
import type { MessageKey } from './message.js';

/** Media given by the client: a URL to fetch, or bytes (from base64 or an uploaded file). */
export type MediaSource = { kind: 'url'; url: string } | { kind: 'bytes'; data: Buffer };

export interface ContactCard {
  fullName: string;
  phoneNumber: string;
  wuid?: string;
  organization?: string;
  email?: string;
  url?: string;
}

export type ButtonSpec =
  | { type: 'reply'; displayText: string; id: string }
  | { type: 'copy'; displayText: string; copyCode: string }
  | { type: 'url'; displayText: string; url: string }
  | { type: 'call'; displayText: string; phoneNumber: string }
  | { type: 'pix'; currency: string; name: string; keyType: string; key: string };

export interface ListSection {
  title: string;
  rows: { title: string; description?: string; rowId: string }[];
}

export type OutboundContent =
  | { kind: 'text'; text: string; linkPreview?: boolean }
  | { kind: 'media'; mediatype: 'image' | 'video' | 'document' | 'audio'; media: MediaSource; mimetype?: string; caption?: string; fileName?: string }
  | { kind: 'ptv'; media: MediaSource }
  | { kind: 'voice'; media: MediaSource; encoding: boolean }
  | { kind: 'sticker'; media: MediaSource; convert: boolean }
  | { kind: 'location'; latitude: number; longitude: number; name: string; address: string }
  | { kind: 'contacts'; contacts: ContactCard[] }
  | { kind: 'reaction'; key: MessageKey; reaction: string }
  | { kind: 'poll'; name: string; selectableCount: number; values: string[] }
  | { kind: 'list'; title: string; description?: string; footerText: string; buttonText: string; sections: ListSection[] }
  | { kind: 'buttons'; title?: string; description?: string; footer?: string; thumbnailUrl?: string; buttons: ButtonSpec[] }
  | { kind: 'status'; type: 'text' | 'image' | 'video' | 'audio'; content: string | MediaSource; caption?: string; backgroundColor?: string; font?: number; statusJidList?: string[]; allContacts?: boolean }
  | { kind: 'template'; name: string; language: string; components: unknown[]; webhookUrl?: string };

export type OutboundKind = OutboundContent['kind'];

export interface OutboundMessage {
  /** Recipient JID (normalized): `5511…@s.whatsapp.net`, `…@g.us`, `…@lid`, `status@broadcast`. */
  to: string;
  content: OutboundContent;
  quoted?: { key: MessageKey; message?: Record<string, unknown> };
  mentioned?: string[];
  mentionsEveryOne?: boolean;
  /** Typing/recording presence shown for this long before sending. */
  delayMs?: number;
}
