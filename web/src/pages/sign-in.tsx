import { Notice } from '../components/fields.js';
import { useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import type { Session } from '../session.js';

/** API keys start with `luma-api-` (spec §1); any other token is tried as the admin token. */
async function identify(token: string): Promise<Session> {
  if (token.startsWith('luma-api-')) {
    await call('/v1/usage', { bearer: token, probe: true });
    return { token, role: 'client' };
  }
  await call('/admin/v1/clients', { bearer: token, probe: true });
  return { token, role: 'operator' };
}

export function SignIn({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignIn(await identify(token.trim()));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <form onSubmit={submit} class="card">
        <h1>
          <span class="mark" aria-hidden="true" /> Atelier
        </h1>
        <p class="muted">Sign in with an API key to use your own generations, or with the admin token to operate the server.</p>
        <label for="token">API key or admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <Notice error={error} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">The token stays in this tab (session storage) and is sent only as an Authorization header.</p>
      </form>
    </main>
  );
}
