import { useState } from 'preact/hooks';
import type { GenerationCreate } from '../../../src/contract/schemas.js';
import { useGeneration, type Generation } from '../generation.js';
import { href } from '../router.js';
import { cliSnippet, curlSnippet, sdkSnippet } from '../snippets.js';
import { CancelButton, Outputs, Progress, StateBadge } from './outputs.js';

const TABS = [
  ['curl', 'curl', curlSnippet],
  ['sdk', 'TypeScript SDK', sdkSnippet],
  ['cli', 'luma-agents-cli', cliSnippet],
] as const;

export function Snippets({ body }: { body: GenerationCreate }) {
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('curl');
  const [copied, setCopied] = useState(false);
  const text = TABS.find((t) => t[0] === tab)![2](location.origin, body);
  return (
    <div class="snippets">
      <div class="snippet-bar">
        <div
          role="tablist"
          aria-label="Copy the request as"
          onKeyDown={(e) => {
            const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
            if (!step) return;
            const i = (TABS.findIndex((t) => t[0] === tab) + step + TABS.length) % TABS.length;
            setTab(TABS[i][0]);
            ((e.currentTarget as HTMLElement).children[i] as HTMLElement).focus();
          }}
        >
          {TABS.map(([name, label]) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={tab === name}
              tabIndex={tab === name ? 0 : -1}
              class={tab === name ? 'tab active' : 'tab'}
              onClick={() => (setTab(name), setCopied(false))}
            >
              {label}
            </button>
          ))}
        </div>
        <button
          type="button"
          class="ghost small copy"
          onClick={() =>
            navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre role="tabpanel" tabIndex={0}>
        <code>{text}</code>
      </pre>
    </div>
  );
}

export function GenerationPanel({ initial, body }: { initial: Generation; body: GenerationCreate }) {
  const { generation, error } = useGeneration(initial.id, initial);
  const g = generation ?? initial;
  return (
    <article class="card generation" data-state={g.state} aria-label={`Generation ${g.id}`}>
      <header class="row spread">
        <div>
          <StateBadge state={g.state} /> <span class="muted small">{g.type} · {g.model}</span>
        </div>
        <span class="row">
          <CancelButton generation={g} />
          <a href={href('generations', g.id)} class="small">
            Details
          </a>
        </span>
      </header>
      <p class="prompt">{body.prompt || <span class="muted">(no prompt)</span>}</p>
      <Progress generation={g} />
      {g.state === 'failed' && (
        <p class="error" role="alert">
          {g.failure_code}: {g.failure_reason}
        </p>
      )}
      {error && <p class="error">{error}</p>}
      <Outputs generation={g} />
      <Snippets body={body} />
    </article>
  );
}
