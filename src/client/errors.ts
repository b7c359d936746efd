/** Errors the SDK throws; one class per HTTP status family, as the official SDKs have. */
export class AtelierError extends Error {}

export class APIError extends AtelierError {
  constructor(
    readonly status: number,
    /** The server's `detail` string, or the raw body when it wasn't the spec's shape. */
    readonly detail: string,
    readonly requestId: string | null,
    readonly headers: Headers,
  ) {
    super(`${status} ${detail}`);
    this.name = new.target.name;
  }

  static from(status: number, detail: string, requestId: string | null, headers: Headers): APIError {
    const Class = STATUS_ERRORS[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, detail, requestId, headers);
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PaymentRequiredError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class PayloadTooLargeError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}

const STATUS_ERRORS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  402: PaymentRequiredError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The server could not be reached (after the retries). `url` is what was asked for; `reason` says why, in words. */
export class APIConnectionError extends AtelierError {
  constructor(
    message: string,
    options?: ErrorOptions & { url?: string; reason?: string },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.url = options?.url ?? null;
    this.reason = options?.reason ?? message;
  }
  readonly url: string | null;
  readonly reason: string;
}

export class APIConnectionTimeoutError extends APIConnectionError {}

/** No API key was given: the option, or the variable, to set. */
export class MissingApiKeyError extends AtelierError {
  override name = 'MissingApiKeyError';
  constructor() {
    super('No API key: pass apiKey or set LUMA_AGENTS_API_KEY');
  }
}

/** The caller's AbortSignal fired. */
export class APIUserAbortError extends AtelierError {
  override name = 'APIUserAbortError';
  constructor() {
    super('Request was aborted.');
  }
}

/** `waitFor` gave up before the generation reached a terminal state. */
export class WaitTimeoutError extends AtelierError {
  override name = 'WaitTimeoutError';
  constructor(
    readonly generationId: string,
    readonly timeoutMs: number,
  ) {
    super(`generation ${generationId} did not finish within ${timeoutMs} ms`);
  }
}

/** An uploaded file the server's check refused (`failed`) or that went away (`deleted`, `expired`). */
export class FileRejectedError extends AtelierError {
  override name = 'FileRejectedError';
  constructor(readonly file: { id: string; state: string; failure_reason?: string | null }) {
    super(`file ${file.id} is ${file.state}${file.failure_reason ? `: ${file.failure_reason}` : ''}`);
  }
}
