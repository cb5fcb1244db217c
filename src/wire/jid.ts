// Evolution's `number` fields → WhatsApp JIDs (compat Appendix A.1), and the number variants an existence check tries.
// Pure string functions: no lookups, no I/O.

/** Domains that make a `number` a JID already; such a value is used as given. */
const JID_DOMAINS = ['@g.us', '@s.whatsapp.net', '@lid', '@broadcast'] as const;

const USER_DOMAIN = 's.whatsapp.net';

/**
 * A `number` field as Evolution reads it:
 * 1. strip a `:<device>` suffix; a value holding `@g.us`, `@s.whatsapp.net`, `@lid` or `@broadcast` is used as is;
 * 2. remove spaces, `+` and parentheses, and anything after `:` or `@`;
 * 3. with a `-` and 24 characters or more it is a group id (`<digits-and-dashes>@g.us`); otherwise digits only,
 *    and 18 digits or more are a group id too;
 * 4. Mexico/Argentina (52/54, 13 digits) lose their 3rd digit;
 * 5. Brazil (55 + DDD + 9 + 8 digits) loses the 9 when DDD ≥ 31 and the subscriber number starts with 7, 8 or 9;
 * 6. `@s.whatsapp.net` is appended.
 */
export function normalizeNumber(input: string): string {
  let number = input.trim().replace(/:\d+/, '');
  if (JID_DOMAINS.some((domain) => number.includes(domain))) return number;

  number = number.replace(/[\s+()]/g, '').split(':')[0]!.split('@')[0]!;

  if (number.includes('-') && number.length >= 24) return `${number.replace(/[^\d-]/g, '')}@g.us`;

  number = number.replace(/\D/g, '');
  if (number.length >= 18) return `${number}@g.us`;

  return `${brazilNumber(mexicoArgentinaNumber(number))}@${USER_DOMAIN}`;
}

/** 52/54 with 13 digits: the mobile marker after the country code (MX `1`, AR `9`) is dropped. */
function mexicoArgentinaNumber(digits: string): string {
  const country = digits.slice(0, 2);
  if ((country === '52' || country === '54') && digits.length === 13) return country + digits.slice(3);
  return digits;
}

/** 55 + DDD + 9 + 8 digits: the 9 goes when DDD ≥ 31 and the subscriber number starts with 7–9 (WhatsApp's old form). */
function brazilNumber(digits: string): string {
  const match = /^55(\d{2})9(\d{8})$/.exec(digits);
  if (match === null) return digits;
  const ddd = Number(match[1]);
  const firstDigit = Number(match[2]![0]);
  return ddd >= 31 && firstDigit >= 7 ? `55${match[1]}${match[2]}` : digits;
}

function splitJid(jid: string): { user: string; domain: string } {
  const at = jid.indexOf('@');
  const user = (at === -1 ? jid : jid.slice(0, at)).replace(/^\+/, '');
  return { user, domain: at === -1 ? USER_DOMAIN : jid.slice(at + 1) };
}

/**
 * A Brazilian mobile JID in both forms WhatsApp may know it by: with the 9th digit first (the current form), then
 * without it. `5531987654321@s.whatsapp.net` and `553187654321@s.whatsapp.net` both give
 * `['5531987654321@s.whatsapp.net', '553187654321@s.whatsapp.net']`. Anything else (other countries, groups, LIDs,
 * a 13-digit number whose 5th digit is not 9) gives `[jid]`. A bare number gets `@s.whatsapp.net`.
 */
export function brazilVariants(jid: string): string[] {
  const { user, domain } = splitJid(jid);
  if (domain !== USER_DOMAIN || !/^55\d+$/.test(user)) return [jid];
  const area = user.slice(0, 4);
  if (user.length === 12) return [`${area}9${user.slice(4)}@${domain}`, `${user}@${domain}`];
  if (user.length === 13 && user[4] === '9') return [`${user}@${domain}`, `${area}${user.slice(5)}@${domain}`];
  return [jid];
}

/**
 * Every form an existence check should try for a JID: the Brazilian 9th-digit pair, or the Mexican (`1`) /
 * Argentinian (`9`) mobile-marker pair — with the marker first — or just the JID.
 */
export function numberVariants(jid: string): string[] {
  const brazil = brazilVariants(jid);
  if (brazil.length > 1) return brazil;
  const { user, domain } = splitJid(jid);
  if (domain !== USER_DOMAIN) return [jid];
  const country = user.slice(0, 2);
  const marker = country === '52' ? '1' : country === '54' ? '9' : undefined;
  if (marker === undefined || !/^\d+$/.test(user)) return [jid];
  if (user.length === 12) return [`${country}${marker}${user.slice(2)}@${domain}`, `${user}@${domain}`];
  if (user.length === 13 && user[2] === marker) return [`${user}@${domain}`, `${country}${user.slice(3)}@${domain}`];
  return [jid];
}
