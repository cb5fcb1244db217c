// "Exactly one emoji" for `sendReaction` (Evolution answers anything else with "Reaction must be a single emoji or
// empty string"). One grapheme that is an emoji: a pictograph with optional variation selector, skin tone, tag
// sequence (subdivision flags) and ZWJ-joined parts, a regional-indicator flag, or a keycap.

const EMOJI_GRAPHEME =
  /^(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?(?:[\u{E0020}-\u{E007E}]+\u{E007F})?(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*)$/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function isSingleEmoji(value: string): boolean {
  if (value.length === 0 || value.length > 64) return false;
  const iterator = graphemes.segment(value)[Symbol.iterator]();
  const first = iterator.next();
  if (first.done === true || iterator.next().done !== true) return false;
  return EMOJI_GRAPHEME.test(value);
}

/** A reaction is one emoji, or `""` to remove the reaction. */
export function isReaction(value: string): boolean {
  return value === '' || isSingleEmoji(value);
}
