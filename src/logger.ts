import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const READABLE = new WeakSet<object>();

/**
 * The server's logger: JSON lines (with the request id) for machines, or, on a terminal
 * (`auto`) or when asked (`pretty`), one coloured line per event and per request.
 */
export function createLogger(level: string, format: LogFormat, stream: NodeJS.WriteStream = process.stdout): Logger {
  if (format === 'json' || (format === 'auto' && !stream.isTTY)) return pino({ level });
  const logger = pino(
    { level },
    pretty({
      destination: stream,
      colorize: format === 'auto' ? !process.env.NO_COLOR : Boolean(stream.isTTY) && !process.env.NO_COLOR,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
    }),
  );
  READABLE.add(logger);
  return logger;
}

/** Whether a logger is read by a person: then each request gets its own line at `info`. */
export const logsRequests = (logger: object): boolean => READABLE.has(logger);
