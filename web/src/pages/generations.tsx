import { useEffect, useState } from 'preact/hooks';
import { call, errorText, query } from '../api.js';
import { GENERATION_TYPES, MODELS, STATES } from '../../../src/contract/schemas.js';
import { FilterInput, Notice, Select } from '../components/fields.js';
import { OutputMedia, StateBadge } from '../components/outputs.js';
import { isTerminal, type Generation } from '../generation.js';
import { subscribe } from '../live.js';
import { rememberGeneration } from '../recent.js';
import { href, navigate } from '../router.js';
import type { Session } from '../session.js';
import { useClients } from './administration.js';

interface Page {
  data: Array<Generation & { client_id?: string }>;
  has_more: boolean;
  next_cursor: string | null;
  /** Small WebP copies of each output (a video's first frame), by generation id (extension). */
  thumbnails?: Record<string, Array<string | null>>;
}

const PAGE_SIZE = 24;
const FILTERS = ['client_id', 'state', 'type', 'model', 'user_id', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined);
const dayEnd = (day: string) => (day ? new Date(new Date(`${day}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined);

function Thumb({ g, thumbs = [] }: { g: Generation; thumbs?: Array<string | null> }) {
  const label = `${g.type} generation from ${g.created_at}`;
  if (g.state !== 'completed' || g.output.length === 0) {
    return (
      <div class="thumb">
        {g.state === 'failed' ? (
          <span class="state-failed small">{g.failure_code}</span>
        ) : (
          <span class="muted small">{g.progress ? `${g.progress.stage} ${Math.round(g.progress.fraction * 100)}%` : g.queue ? `#${g.queue.position} in line` : `${g.state}…`}</span>
        )}
      </div>
    );
  }
  // Full-size outputs only where the server made no thumbnail.
  const small = (i: number) => thumbs[i] ?? g.output[i].url;
  const layers = g.output.map((o, i) => ({ o, src: small(i) })).filter(({ o }) => o.layer).sort((a, b) => b.o.layer!.index - a.o.layer!.index);
  if (layers.length > 0) {
    return (
      <div class="thumb checker">
        {layers.map(({ o, src }) => (
          <img key={o.layer!.index} class="stacked" src={src} alt={`${label}, layer ${o.layer!.label}`} loading="lazy" />
        ))}
      </div>
    );
  }
  return (
    <div class="thumb">
      <OutputMedia output={g.output[0]} label={label} thumb={thumbs[0] ?? true} />
    </div>
  );
}

/** The gallery: a client's own generations, or (operator) every client's through the admin API. */
export function Generations({ params, role }: { params: URLSearchParams; role: Session['role'] }) {
  const operator = role === 'operator';
  const clients = useClients(operator);
  const clientName = new Map((clients ?? []).map((c) => [c.id, c.name]));
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Filters;
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];
  const filterKey = FILTERS.map((f) => filters[f]).join('|');

  useEffect(() => setCursors([null]), [filterKey]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const load = async () => {
      try {
        const result = await call<Page>(
          `${operator ? '/admin/v1/generations' : '/v1/generations'}${query({
            client_id: operator ? filters.client_id : undefined,
            limit: PAGE_SIZE,
            cursor,
            state: filters.state,
            type: filters.type,
            model: filters.model,
            user_id: filters.user_id,
            created_after: dayStart(filters.from),
            created_before: dayEnd(filters.to),
          })}`,
          { signal: controller.signal },
        );
        if (stopped) return;
        if (!operator) result.data.forEach(rememberGeneration);
        setPage(result);
        shown = new Set(result.data.map((g) => g.id));
        setError(null);
        // Without the event stream, polling keeps the first page and any running tiles current.
        if (polling && (cursor === null || result.data.some((g) => !isTerminal(g)))) timer = setTimeout(load, 3000);
      } catch (err) {
        if (!stopped) setError(errorText(err));
      }
    };
    let shown = new Set<string>();
    // Live: a change to a generation on this page, or a new one while the first page shows, reloads it.
    let polling = operator;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(load, 300);
    };
    const unsubscribe = operator
      ? () => {}
      : subscribe({
          change: (change) => {
            const id = 'generation' in change ? change.generation.id : change.id;
            if (shown.has(id) || (cursor === null && 'generation' in change)) reload();
          },
          down: () => {
            polling = true;
            reload();
          },
        });
    void load();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
      unsubscribe();
    };
  }, [cursor, filterKey]);

  const setFilter = (name: keyof Filters, value: string) => {
    const next = { ...filters, [name]: value };
    navigate(href('generations', undefined, next));
  };

  const select = (name: keyof Filters, label: string, options: readonly string[]) => (
    <Select id={`filter-${name}`} label={label} value={filters[name]} options={options} empty="any" onChange={(v) => setFilter(name, v)} />
  );

  return (
    <section aria-labelledby="generations-title">
      <h1 id="generations-title">Generations</h1>
      <form class="toolbar card" role="search" aria-label="Filter generations" onSubmit={(e) => e.preventDefault()}>
        {operator && (
          <Select
            id="filter-client_id"
            label="Client"
            value={filters.client_id}
            options={(clients ?? []).map((c) => [c.id, c.name] as const)}
            empty="all clients"
            onChange={(v) => setFilter('client_id', v)}
          />
        )}
        {select('state', 'State', STATES)}
        {select('type', 'Type', GENERATION_TYPES)}
        {select('model', 'Model', MODELS)}
        <FilterInput id="filter-user_id" label="user_id" value={filters.user_id} onCommit={(v) => setFilter('user_id', v)} />
        <div class="field">
          <label for="filter-from">From</label>
          <input id="filter-from" type="date" value={filters.from} onChange={(e) => setFilter('from', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="filter-to">To</label>
          <input id="filter-to" type="date" value={filters.to} onChange={(e) => setFilter('to', e.currentTarget.value)} />
        </div>
      </form>
      <Notice error={error} />
      {page && page.data.length === 0 && <p class="muted empty">No generations match.</p>}
      <ul class="gallery" aria-label="Generations" role="list">
        {page?.data.map((g) => (
          <li key={g.id}>
            <a class="tile" href={href('generations', g.id)}>
              <Thumb g={g} thumbs={page.thumbnails?.[g.id]} />
              <div class="meta">
                <span class="line">
                  <StateBadge state={g.state} /> {g.type}
                </span>
                {g.client_id && <span class="line">{clientName.get(g.client_id) ?? g.client_id}</span>}
                <span class="line muted">
                  {g.model} · <time dateTime={g.created_at}>{new Date(g.created_at).toLocaleString()}</time>
                </span>
              </div>
            </a>
          </li>
        ))}
      </ul>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span class="muted small">Page {cursors.length}</span>
        <button type="button" disabled={!page?.has_more} onClick={() => page?.next_cursor && setCursors([...cursors, page.next_cursor])}>
          Older
        </button>
      </nav>
    </section>
  );
}
