import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

type Args = Parameters<LogFn>;

/**
 * The logger Fastify gives each request. Fastify makes a pino child per request up front; most
 * requests never log, so this makes it on first use, with the same bindings (the request id).
 */
class RequestLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.real.level;
  }
  set level(level: string) {
    this.real.level = level;
  }
  fatal(...args: Args): void {
    this.real.fatal(...args);
  }
  error(...args: Args): void {
    this.real.error(...args);
  }
  warn(...args: Args): void {
    this.real.warn(...args);
  }
  info(...args: Args): void {
    this.real.info(...args);
  }
  debug(...args: Args): void {
    this.real.debug(...args);
  }
  trace(...args: Args): void {
    this.real.trace(...args);
  }
  silent(...args: Args): void {
    this.real.silent(...args);
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

export function requestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new RequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
