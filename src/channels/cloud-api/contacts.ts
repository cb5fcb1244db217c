// Contact cards: Parley's ContactCard → Meta's contact object, and Meta's contact object → WhatsApp's vCard message.
import type { ContactCard } from '../../domain/outbound.js';

const digits = (value: string) => value.replace(/\D/g, '');

/** Meta's `contacts[]` entry for one card (Meta wants a formatted name plus at least one name part). */
export function metaContact(card: ContactCard): Record<string, unknown> {
  const [first, ...rest] = card.fullName.trim().split(/\s+/);
  const wuid = digits(card.wuid ?? card.phoneNumber);
  const contact: Record<string, unknown> = {
    name: { formatted_name: card.fullName, first_name: first ?? card.fullName, ...(rest.length > 0 ? { last_name: rest.join(' ') } : {}) },
    phones: [{ phone: card.phoneNumber, type: 'CELL', ...(wuid === '' ? {} : { wa_id: wuid }) }],
  };
  if (card.email) contact.emails = [{ email: card.email, type: 'WORK' }];
  if (card.organization) contact.org = { company: card.organization };
  if (card.url) contact.urls = [{ url: card.url, type: 'WORK' }];
  return contact;
}

/** The vCard Evolution builds for a sent contact (TEL with `waid=`). */
export function cardVcard(card: ContactCard): string {
  const wuid = digits(card.wuid ?? card.phoneNumber);
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `N:${card.fullName}`,
    `FN:${card.fullName}`,
    ...(card.organization ? [`ORG:${card.organization};`] : []),
    ...(card.email ? [`EMAIL:${card.email}`] : []),
    ...(card.url ? [`URL:${card.url}`] : []),
    `item1.TEL;waid=${wuid}:${card.phoneNumber}`,
    'item1.X-ABLabel:Celular',
    'END:VCARD',
  ].join('\n');
}

/** `{contactMessage}` for one card, `{contactsArrayMessage}` (displayName "N contacts") for more. */
export function contactsContent(cards: { displayName: string; vcard: string }[]): Record<string, unknown> {
  if (cards.length === 1) return { contactMessage: cards[0] };
  return { contactsArrayMessage: { displayName: `${cards.length} contacts`, contacts: cards } };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];

/** A received Meta contact object as `{displayName, vcard}`. */
export function inboundCard(contact: Record<string, unknown>): { displayName: string; vcard: string } {
  const name = (typeof contact.name === 'object' && contact.name !== null ? contact.name : {}) as Record<string, unknown>;
  const org = (typeof contact.org === 'object' && contact.org !== null ? contact.org : {}) as Record<string, unknown>;
  const phones = list(contact.phones);
  const displayName =
    str(name.formatted_name) ??
    ([str(name.first_name), str(name.last_name)].filter(Boolean).join(' ') || str(phones[0]?.phone) || 'Contact');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0'];
  lines.push(`N:${[name.last_name, name.first_name, name.middle_name, name.prefix, name.suffix].map((p) => str(p) ?? '').join(';')}`);
  lines.push(`FN:${displayName}`);
  if (str(org.company)) lines.push(`ORG:${str(org.company)};${str(org.department) ?? ''}`);
  if (str(org.title)) lines.push(`TITLE:${str(org.title)}`);
  for (const email of list(contact.emails)) if (str(email.email)) lines.push(`EMAIL;type=${str(email.type) ?? 'INTERNET'}:${str(email.email)}`);
  for (const url of list(contact.urls)) if (str(url.url)) lines.push(`URL:${str(url.url)}`);
  phones.forEach((phone, index) => {
    const number = str(phone.phone) ?? str(phone.wa_id);
    if (number === undefined) return;
    const waid = str(phone.wa_id);
    lines.push(`item${index + 1}.TEL${waid ? `;waid=${waid}` : ''}:${number}`);
    lines.push(`item${index + 1}.X-ABLabel:${str(phone.type) ?? 'Celular'}`);
  });
  if (str(contact.birthday)) lines.push(`BDAY:${str(contact.birthday)}`);
  lines.push('END:VCARD');
  return { displayName, vcard: lines.join('\n') };
}
