// One logger for the process: JSON lines by default (for machines), or readable text
// (--log-format text) for people watching a terminal.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'text';
export const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function createLogger(opts: { level?: LevelWithSilent; format?: LogFormat; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? 'info';
  const base = { level, base: { app: 'mini-istiod' } };
  if (opts.format === 'text') {
    // pino-pretty as an in-process stream (not a worker transport): lines appear in
    // order with the rest of the output and nothing is lost when the process exits.
    const stream = pretty({ colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app', destination: opts.destination ?? process.stdout, sync: true });
    return pino(base, stream);
  }
  return opts.destination ? pino(base, opts.destination) : pino(base);
}

/** A logger that writes nothing: for tests and offline commands that print results. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
