/** Who is signed in: an API key (a client's own view) or the admin token (the operator's). Kept in this tab only. */
export interface Session {
  token: string;
  role: 'client' | 'operator';
}

const KEY = 'atelier.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const value = raw ? (JSON.parse(raw) as Session) : null;
    return value && typeof value.token === 'string' && (value.role === 'client' || value.role === 'operator') ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
