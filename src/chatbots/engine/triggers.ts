// Which bot a message triggers (compat §6.2), across every enabled provider. Parley answers once: specific triggers
// first (advanced, equals, regex, startsWith, endsWith, contains — each across providers in CHATBOT_PROVIDERS order),
// then the catch-all bots (`all`/`none`), then the fallback bot of the first provider whose settings name one.
import type { Bot, ChatbotProviderName } from '../../domain/chatbot.js';

/** Accent-stripped, lower-cased (advanced expressions compare this form). */
export const normalizeText = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

const ADVANCED_OPERATORS = ['contains', 'notcontains', 'startswith', 'endswith', 'exact'] as const;
type AdvancedOperator = (typeof ADVANCED_OPERATORS)[number];

const checks: Record<AdvancedOperator, (content: string, value: string) => boolean> = {
  contains: (c, v) => c.includes(v),
  notcontains: (c, v) => !c.includes(v),
  startswith: (c, v) => c.startsWith(v),
  endswith: (c, v) => c.endsWith(v),
  exact: (c, v) => c === v,
};

/**
 * An advanced expression: space-separated terms `operator:v1,v2`. All values of a term must match; terms with the
 * same operator are alternatives (OR); different operators must all hold (AND). Unknown operators are ignored; an
 * expression without a known term matches nothing.
 */
export function matchesAdvanced(content: string, expression: string): boolean {
  const text = normalizeText(content);
  const groups = new Map<AdvancedOperator, string[][]>();
  for (const term of expression.split(' ').filter(Boolean)) {
    const colon = term.indexOf(':');
    if (colon <= 0) continue;
    const operator = term.slice(0, colon).toLowerCase() as AdvancedOperator;
    if (!ADVANCED_OPERATORS.includes(operator)) continue;
    const values = term.slice(colon + 1).split(',').map(normalizeText).filter((v) => v !== '');
    if (values.length === 0) continue;
    groups.set(operator, [...(groups.get(operator) ?? []), values]);
  }
  if (groups.size === 0) return false;
  return [...groups].every(([operator, terms]) => terms.some((values) => values.every((v) => checks[operator](text, v))));
}

function safeRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

type Rule = (bot: Bot, content: string) => boolean;

const keyword = (operator: Bot['triggerOperator'], test: (content: string, value: string) => boolean): Rule => (bot, content) =>
  bot.triggerType === 'keyword' && bot.triggerOperator === operator && bot.triggerValue !== null && bot.triggerValue !== '' && test(content, bot.triggerValue);

/** Specific triggers in compat order; keyword operators are case-sensitive as in Evolution. */
const SPECIFIC_RULES: Rule[] = [
  (bot, content) => bot.triggerType === 'advanced' && bot.triggerValue !== null && matchesAdvanced(content, bot.triggerValue),
  keyword('equals', (c, v) => c === v),
  keyword('regex', (c, v) => safeRegex(v)?.test(c) ?? false),
  keyword('startsWith', (c, v) => c.startsWith(v)),
  keyword('endsWith', (c, v) => c.endsWith(v)),
  keyword('contains', (c, v) => c.includes(v)),
];

const isCatchAll = (bot: Bot) => bot.triggerType === 'all' || bot.triggerType === 'none';

export interface TriggerCandidates {
  /** Enabled bots per provider, in provider order, each list in creation order. */
  bots: [ChatbotProviderName, Bot[]][];
  /** The fallback bot of each provider (settings `fallbackId`), in provider order. */
  fallbacks: [ChatbotProviderName, Bot | undefined][];
}

export type TriggerMatch = { bot: Bot; by: 'trigger' | 'catchAll' | 'fallback' };

/** The bot that answers messages (several when debounced): any message's specific trigger, then a catch-all, then a fallback. */
export function findTriggeredBot(contents: string[], candidates: TriggerCandidates): TriggerMatch | undefined {
  const enabled = candidates.bots.flatMap(([, bots]) => bots.filter((b) => b.enabled));
  for (const content of contents) {
    for (const rule of SPECIFIC_RULES) {
      const hit = enabled.find((bot) => rule(bot, content));
      if (hit !== undefined) return { bot: hit, by: 'trigger' };
    }
  }
  const catchAll = enabled.find(isCatchAll);
  if (catchAll !== undefined) return { bot: catchAll, by: 'catchAll' };
  const fallback = candidates.fallbacks.find(([, bot]) => bot !== undefined && bot.enabled)?.[1];
  return fallback === undefined ? undefined : { bot: fallback, by: 'fallback' };
}
