/** Structured JSON logs (pino), one logger per process. */
import pino from 'pino';

export function createLogger(level: string, service: string) {
  return pino({ level, base: { service } });
}
export type Logger = ReturnType<typeof createLogger>;
