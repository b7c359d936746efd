/**
 * The API base URL from what a user gave, with or without the `/v1`: a bare origin
 * (`http://127.0.0.1:8080`) gets `/v1`, a URL with a path is taken as given.
 */
export function apiBaseUrl(given: string): string {
  const trimmed = given.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new TypeError(`'${given}' is not a URL: give the server's address, e.g. http://127.0.0.1:8080/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`'${given}' is not an http(s) URL`);
  return url.pathname === '/' ? `${trimmed}/v1` : trimmed;
}

/** The server's own address (where `/admin/v1` and `/healthz` live), from a URL given with or without `/v1`. */
export function serverUrl(given: string): string {
  return apiBaseUrl(given).replace(/\/v1$/, '');
}
