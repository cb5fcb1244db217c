// A FakeBaileysSocket outside any connection, for testing the WhatsApp Web feature sets on their own, and a clock
// the tests move by hand.
import { initAuthCreds } from 'baileys';
import { pino } from 'pino';
import type { Clock } from '../../src/ports/clock.js';
import { FakeBaileysSocket } from './fake-baileys-socket.js';

export function openFakeSocket(): FakeBaileysSocket {
  const socket = new FakeBaileysSocket({
    auth: { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => {} } },
    logger: pino({ level: 'silent' }),
  });
  socket.openWith();
  return socket;
}

export class ManualClock implements Clock {
  constructor(public ms = 1_700_000_000_000) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
