import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import type { GenerationCreate } from '../../../src/contract/schemas.js';
import { Snippets } from '../components/generation-panel.js';
import { CancelButton, Outputs, Progress, StateBadge } from '../components/outputs.js';
import { isTerminal, useGeneration, type Generation } from '../generation.js';
import type { Session } from '../session.js';
import { href } from '../router.js';

interface Details {
  id: string;
  request: Record<string, unknown> & { prompt: string };
  inputs: Array<{ role: string; index: number; path: string; origin: string; type: 'image' | 'video'; url: string }>;
  price_usd: string;
  charged: boolean;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  edit_of: string[];
  edits: Array<{ id: string; type: string; state: string; created_at: string }>;
}

/** The request as a body one could send again: nulls, empty lists and defaults-only objects dropped. */
function asBody(request: Details['request']): GenerationCreate {
  const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(clean).filter((v) => v !== undefined);
      return items.length ? items : undefined;
    }
    if (value && typeof value === 'object') {
      const entries = Object.entries(value).map(([k, v]) => [k, clean(v)] as const).filter(([, v]) => v !== undefined);
      return entries.length ? Object.fromEntries(entries) : undefined;
    }
    return value === null || value === false ? undefined : value;
  };
  return { ...(clean(request) as object), prompt: request.prompt } as GenerationCreate;
}

const seconds = (from: string, to: string | null) => (to ? `${Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000).toFixed(0)} s` : '—');

/** The operator reads a generation of any client, with its details, from one admin endpoint, polled until it ends. */
function useAdminDetails(id: string | null) {
  const [value, setValue] = useState<(Details & { client_id: string; generation: Generation }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      try {
        const next = await call<Details & { client_id: string; generation: Generation }>(`/admin/v1/generations/${encodeURIComponent(id)}/details`);
        if (stopped) return;
        setValue(next);
        if (isTerminal(next.generation)) return;
      } catch (err) {
        if (stopped) return;
        setError(errorText(err));
      }
      timer = setTimeout(load, 1500);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  return { value, error };
}

export function GenerationDetail({ id, role }: { id: string; role: Session['role'] }) {
  const operator = role === 'operator';
  const own = useGeneration(operator ? null : id);
  const admin = useAdminDetails(operator ? id : null);
  const [ownDetails, setDetails] = useState<Details | null>(null);
  const [detailsError, setDetailsError] = useState<string | null>(null);
  const generation = operator ? (admin.value?.generation ?? null) : own.generation;
  const error = operator ? admin.error : own.error;
  const details = operator ? admin.value : ownDetails;
  const terminal = generation ? isTerminal(generation) : false;

  useEffect(() => {
    if (operator) return;
    call<Details>(`/v1/generations/${encodeURIComponent(id)}/details`).then(setDetails, (err) => setDetailsError(errorText(err)));
  }, [id, terminal]);

  if (error && !generation)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!generation) return <p class="muted">Loading…</p>;
  const g = generation;
  return (
    <section aria-labelledby="detail-title">
      <p>
        <a href={href('generations')}>← All generations</a>
      </p>
      <h1 id="detail-title">
        {g.type} <StateBadge state={g.state} />
      </h1>
      <div class="detail">
        <div class="stack-v">
          <div class="card">
            <Progress generation={g} />
            {!operator && <CancelButton generation={g} />}
            {g.state === 'failed' && (
              <p class="error" role="alert">
                <strong>{g.failure_code}</strong>: {g.failure_reason}
              </p>
            )}
            <Outputs generation={g} />
            {terminal && g.output.length === 0 && g.state === 'completed' && <p class="muted">No outputs.</p>}
          </div>
          {details && details.inputs.length > 0 && (
            <div class="card">
              <h2>Inputs</h2>
              <div class="outputs">
                {details.inputs.map((input) => (
                  <figure key={input.path}>
                    {input.type === 'video' ? (
                      <video src={input.url} controls preload="metadata" aria-label={input.path} />
                    ) : (
                      <img src={input.url} alt={input.path} loading="lazy" />
                    )}
                    <figcaption>
                      {input.path} <span class="muted">({input.origin})</span>
                    </figcaption>
                  </figure>
                ))}
              </div>
            </div>
          )}
          {details && (
            <div class="card">
              <h2>Request</h2>
              <p class="prompt">{details.request.prompt || <span class="muted">(no prompt)</span>}</p>
              <pre tabIndex={0}>
                <code>{JSON.stringify(details.request, null, 2)}</code>
              </pre>
              <Snippets body={asBody(details.request)} />
            </div>
          )}
        </div>
        <div class="stack-v">
          <div class="card">
            <h2>Facts</h2>
            <dl class="facts">
              <dt>id</dt>
              <dd>
                <code>{g.id}</code>
              </dd>
              {admin.value && (
                <>
                  <dt>Client</dt>
                  <dd>
                    <code>{admin.value.client_id}</code>
                  </dd>
                </>
              )}
              <dt>Model</dt>
              <dd>{g.model}</dd>
              <dt>Created</dt>
              <dd>{new Date(g.created_at).toLocaleString()}</dd>
              {details && (
                <>
                  <dt>Finished</dt>
                  <dd>{details.finished_at ? new Date(details.finished_at).toLocaleString() : '—'}</dd>
                  <dt>Took</dt>
                  <dd>{seconds(details.created_at, details.finished_at)}</dd>
                  <dt>Price</dt>
                  <dd>
                    ${details.price_usd}
                    {details.charged ? '' : ' (refunded)'}
                  </dd>
                  <dt>user_id</dt>
                  <dd>{String(details.request.user_id ?? '—')}</dd>
                </>
              )}
              {g.failure_code && (
                <>
                  <dt>Failure</dt>
                  <dd>
                    {g.failure_code}: {g.failure_reason}
                  </dd>
                </>
              )}
            </dl>
            {detailsError && <p class="error">{detailsError}</p>}
          </div>
          {details && (details.edit_of.length > 0 || details.edits.length > 0) && (
            <div class="card">
              <h2>Chain of edits</h2>
              {details.edit_of.length > 0 && (
                <>
                  <p class="muted small">Built on</p>
                  <ul>
                    {details.edit_of.map((parent) => (
                      <li key={parent}>
                        <a href={href('generations', parent)}>
                          <code>{parent}</code>
                        </a>
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {details.edits.length > 0 && (
                <>
                  <p class="muted small">Used by</p>
                  <ul>
                    {details.edits.map((child) => (
                      <li key={child.id}>
                        <a href={href('generations', child.id)}>{child.type}</a> <span class="muted small">{child.state} · {child.created_at}</span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
