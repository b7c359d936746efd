/** The page's only way to the server: the public and admin HTTP APIs, with the token as a Bearer header. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

let token: string | null = null;
let onUnauthorized: () => void = () => {};

export function useToken(value: string | null, signOut: () => void = () => {}): void {
  token = value;
  onUnauthorized = signOut;
}

/** The signed-in token, for the requests `call` doesn't make (event streams). */
export const currentToken = () => token;

async function failure(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === 'string') detail = body.detail;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(response.status, detail);
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** Sign in probes a token without signing out on a 401. */
  probe?: boolean;
  bearer?: string;
}

export async function call<T>(url: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = options.bearer ?? token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(url, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, signal: options.signal });
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401 && !options.probe) onUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const query = (params: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
