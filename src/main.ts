// Process entry: read configuration, resolve the API key, start one Parley node, stop gracefully on signals.
import { isKnownDefaultKey, resolveApiKey } from './config/api-key.js';
import { ConfigError, loadConfig, readEnvironment } from './config/load.js';
import { createParley } from './app.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config);
  const key = resolveApiKey(config.apiKey, config.dataDir);
  if (key.source === 'generated') {
    // Printed once, outside the structured log, so the key does not end up in log storage.
    process.stdout.write(
      `\n  No AUTHENTICATION_API_KEY was set, so Parley generated one and stored it in ${key.file}:\n\n    ${key.key}\n\n` +
        `  Send it in the "apikey" header. Set AUTHENTICATION_API_KEY to choose your own.\n\n`,
    );
  } else if (key.source === 'env' && (isKnownDefaultKey(key.key) || key.key.length < 16)) {
    logger.warn('AUTHENTICATION_API_KEY is a published default or shorter than 16 characters: anyone may guess it');
  }

  const parley = await createParley({ config, apiKey: key.key, logger });
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    parley.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await parley.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`Parley failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
