// Environment variables of the WHATSAPP-BAILEYS channel (Evolution's names where they exist, plus Parley's additions).
import { z } from 'zod';
import { envInt, envString } from './env-types.js';

const BAILEYS_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A positive number (decimals allowed, e.g. `0.5` messages per second). */
const envPositiveNumber = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0 || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a number above 0 and at most ${max}, got "${value}"` });
        return z.NEVER;
      }
      return n;
    });

export const baileysEnvSchema = z.object({
  /** Evolution: the name shown under "Linked devices" is `<client> (<name>)`. */
  CONFIG_SESSION_PHONE_CLIENT: envString('Parley'),
  CONFIG_SESSION_PHONE_NAME: envString('Chrome'),
  /** Evolution: Baileys' own log level (its trace level logs every frame). */
  LOG_BAILEYS: z
    .string()
    .optional()
    .transform((value, ctx): (typeof BAILEYS_LOG_LEVELS)[number] => {
      const v = (value ?? '').trim().toLowerCase();
      if (v === '') return 'warn';
      if ((BAILEYS_LOG_LEVELS as readonly string[]).includes(v)) return v as (typeof BAILEYS_LOG_LEVELS)[number];
      ctx.addIssue({ code: 'custom', message: `expected one of ${BAILEYS_LOG_LEVELS.join(', ')}, got "${value}"` });
      return z.NEVER;
    }),
  /** Parley: messages per second each instance may send (anti-ban pacing). */
  PARLEY_BAILEYS_SEND_RATE: envPositiveNumber(1, 100),
  /** Parley: messages an idle instance may send at once before pacing starts. */
  PARLEY_BAILEYS_SEND_BURST: envInt(5, 1, 1000),
  /** Parley: up to this many random milliseconds are added to each paced wait, so sends never tick at fixed intervals. */
  PARLEY_BAILEYS_SEND_JITTER_MS: envInt(500, 0, 60_000),
  /** Parley: instances reconnecting at the same time at boot. */
  PARLEY_BAILEYS_RESUME_CONCURRENCY: envInt(5, 1, 1000),
  /** Parley: an `open` instance that received nothing for this long is probed, and restarted if the probe fails; 0 = off. */
  PARLEY_BAILEYS_WATCHDOG_SECONDS: envInt(120, 0, 86_400),
  /** Parley: the longest wait between reconnect attempts after transient disconnects. */
  PARLEY_BAILEYS_RECONNECT_MAX_SECONDS: envInt(300, 1, 86_400),
});

export interface BaileysConfig {
  /** Baileys' `browser` tuple parts: shown on the phone as the linked device. */
  browser: { client: string; name: string };
  logLevel: (typeof BAILEYS_LOG_LEVELS)[number];
  send: { ratePerSecond: number; burst: number; jitterMs: number };
  resumeConcurrency: number;
  /** 0 = watchdog off. */
  watchdogIdleMs: number;
  reconnectMaxMs: number;
}

export function shapeBaileysConfig(env: z.output<typeof baileysEnvSchema>): BaileysConfig {
  return {
    browser: { client: env.CONFIG_SESSION_PHONE_CLIENT, name: env.CONFIG_SESSION_PHONE_NAME },
    logLevel: env.LOG_BAILEYS,
    send: { ratePerSecond: env.PARLEY_BAILEYS_SEND_RATE, burst: env.PARLEY_BAILEYS_SEND_BURST, jitterMs: env.PARLEY_BAILEYS_SEND_JITTER_MS },
    resumeConcurrency: env.PARLEY_BAILEYS_RESUME_CONCURRENCY,
    watchdogIdleMs: env.PARLEY_BAILEYS_WATCHDOG_SECONDS * 1000,
    reconnectMaxMs: env.PARLEY_BAILEYS_RECONNECT_MAX_SECONDS * 1000,
  };
}
