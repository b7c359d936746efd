import { APIConnectionError, MissingApiKeyError } from '../client/index.js';
import { UsageError } from './usage-error.js';

/** The flags a command takes the key and the URL from, so that errors name what the user typed. */
export interface ClientFlags {
  key: string;
  url: string;
}

/** An SDK error that a CLI user fixes with a flag or a variable, told in the CLI's own words; null for other errors. */
export function cliClientError(err: unknown, flags: ClientFlags): { message: string; exitCode: number } | null {
  if (err instanceof MissingApiKeyError) {
    return { message: `no API key: pass ${flags.key} <key> or set LUMA_AGENTS_API_KEY`, exitCode: 2 };
  }
  if (err instanceof TypeError && /is not (a|an http\(s\)) URL/.test(err.message)) {
    return { message: `${flags.url}/LUMA_BASE_URL: ${err.message}`, exitCode: 2 };
  }
  if (err instanceof UsageError) return { message: err.message, exitCode: 2 };
  if (err instanceof APIConnectionError && err.url) {
    return {
      message:
        `could not reach ${err.url}: ${err.reason}.\n` +
        `Is the server running? Start one with \`atelier serve\`, or point ${flags.url} (LUMA_BASE_URL) at it.`,
      exitCode: 1,
    };
  }
  return null;
}
