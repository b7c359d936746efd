import { useEffect, useState } from 'preact/hooks';
import { useToken } from './api.js';
import { href, navigate, useRoute } from './router.js';
import { loadSession, saveSession, type Session } from './session.js';
import { SignIn } from './pages/sign-in.js';
import { Playground } from './pages/playground.js';
import { Generations } from './pages/generations.js';
import { GenerationDetail } from './pages/generation-detail.js';
import { Queue } from './pages/queue.js';
import { Usage } from './pages/usage.js';
import { Administration } from './pages/administration.js';
import { Emulator } from './pages/emulator.js';

const PAGES = {
  client: [
    ['playground', 'Playground'],
    ['generations', 'Generations'],
    ['usage', 'Usage'],
  ],
  operator: [
    ['queue', 'Queue'],
    ['generations', 'Generations'],
    ['usage', 'Usage'],
    ['admin', 'Administration'],
    ['emulator', 'Emulator'],
  ],
} as const;

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const route = useRoute();
  const signOut = () => {
    saveSession(null);
    setSession(null);
  };
  useToken(session?.token ?? null, signOut);

  const pages = session ? PAGES[session.role] : [];
  const page = pages.some(([name]) => name === route.page) ? route.page : (pages[0]?.[0] ?? '');
  useEffect(() => {
    const title = pages.find(([name]) => name === page)?.[1];
    document.title = title ? `${title} · Atelier` : 'Atelier';
  }, [page, session?.role]);

  if (!session) {
    return (
      <SignIn
        onSignIn={(s) => {
          saveSession(s);
          setSession(s);
          navigate(href(PAGES[s.role][0][0]));
        }}
      />
    );
  }

  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand" aria-label="Atelier">
          <span class="mark" aria-hidden="true" />
          Atelier
        </span>
        <nav aria-label="Pages">
          <ul>
            {pages.map(([name, label]) => (
              <li key={name}>
                <a href={href(name)} aria-current={name === page ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">{session.role === 'operator' ? 'Operator' : 'API key'}</span>
        <button type="button" class="ghost" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'playground' && <Playground />}
        {page === 'generations' && (route.id ? <GenerationDetail id={route.id} role={session.role} /> : <Generations params={route.params} role={session.role} />)}
        {page === 'queue' && <Queue />}
        {page === 'usage' && <Usage role={session.role} />}
        {page === 'admin' && <Administration />}
        {page === 'emulator' && <Emulator />}
      </main>
    </div>
  );
}
