// The process logger: pino, structured JSON (or pretty when LOG_PRETTY=true). Secrets are redacted by path.
import { pino, type Logger } from 'pino';
import type { Config } from './config/load.js';

export function createLogger(config: Pick<Config, 'log'>): Logger {
  return pino({
    level: config.log.level,
    redact: {
      paths: ['req.headers.apikey', 'req.headers.authorization', '*.apikey', '*.token', '*.password', '*.secret'],
      censor: '[redacted]',
    },
    ...(config.log.pretty ? { transport: { target: 'pino-pretty' } } : {}),
  });
}
