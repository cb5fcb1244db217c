// The event catalogue in its three spellings: config `MESSAGES_UPSERT`, wire `messages.upsert`, suffix `messages-upsert`.
import { EVENT_NAMES, type EventName } from '../domain/events.js';

export interface CatalogueEntry {
  name: EventName;
  /** The `event` field on the wire. */
  wire: string;
  /** Appended to a webhook URL when `byEvents` is on: `<url>/<suffix>`. */
  suffix: string;
}

/** Where Evolution's wire name does not follow the plain rule (config name lower-cased, `_` → `.`). */
const WIRE_EXCEPTIONS: Partial<Record<EventName, string>> = {
  GROUP_UPDATE: 'groups.update',
  GROUP_PARTICIPANTS_UPDATE: 'group-participants.update',
  TYPEBOT_CHANGE_STATUS: 'typebot.change-status',
};

/** Evolution's URL suffixes that do not follow the plain rule (config name lower-cased, `_` → `-`). */
const SUFFIX_EXCEPTIONS: Partial<Record<EventName, string>> = {
  GROUP_UPDATE: 'groups-update',
};

export const CATALOGUE: ReadonlyMap<EventName, CatalogueEntry> = new Map(
  EVENT_NAMES.map((name) => [
    name,
    {
      name,
      wire: WIRE_EXCEPTIONS[name] ?? name.toLowerCase().replace(/_/g, '.'),
      suffix: SUFFIX_EXCEPTIONS[name] ?? name.toLowerCase().replace(/_/g, '-'),
    },
  ]),
);

/** Other names clients use for an event (Evolution itself is inconsistent about `groups.update`). */
const ALIASES: Record<string, EventName> = {
  GROUPS_UPDATE: 'GROUP_UPDATE',
};

const BY_ANY_SPELLING = new Map<string, EventName>();
for (const entry of CATALOGUE.values()) {
  BY_ANY_SPELLING.set(entry.name, entry.name);
  BY_ANY_SPELLING.set(entry.wire.toUpperCase(), entry.name);
  BY_ANY_SPELLING.set(entry.suffix.toUpperCase(), entry.name);
}
for (const [alias, name] of Object.entries(ALIASES)) BY_ANY_SPELLING.set(alias, name);

/** Resolves any spelling (`MESSAGES_UPSERT`, `messages.upsert`, `messages-upsert`, `GROUPS_UPDATE`) to the config name. */
export function resolveEventName(value: string): EventName | undefined {
  return BY_ANY_SPELLING.get(value.trim().toUpperCase());
}

export function entryOf(name: EventName): CatalogueEntry {
  return CATALOGUE.get(name)!;
}

/** The env-variable part of an event name: Evolution reads `*_GROUPS_UPDATE` for GROUP_UPDATE. */
export function envSuffixOf(name: EventName): string {
  return name === 'GROUP_UPDATE' ? 'GROUPS_UPDATE' : name;
}

export { EVENT_NAMES };
