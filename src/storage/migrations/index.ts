// The ordered migration set, run on both SQLite and PostgreSQL. Append; never edit a shipped migration.
import type { Migration } from 'kysely';
import * as m001 from './001-instances.js';
import * as m002 from './002-events.js';
import * as m003 from './003-instance-opened.js';
import * as m004 from './004-messages.js';
import * as m005 from './005-channel-state.js';
import * as m006 from './006-chatbot-config.js';
import * as m007 from './007-chatbot-sessions.js';
import * as m008 from './008-chat-archived.js';

export const migrations: Record<string, Migration> = {
  '001-instances': m001,
  '002-events': m002,
  '003-instance-opened': m003,
  '004-messages': m004,
  '005-channel-state': m005,
  '006-chatbot-config': m006,
  '007-chatbot-sessions': m007,
  '008-chat-archived': m008,
};
