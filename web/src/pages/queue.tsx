import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';

interface QueueView {
  now: string;
  queued: number;
  processing: number;
  oldest_queued_at: string | null;
  oldest_wait_seconds: number | null;
  by_model: Array<{ model: string; queued: number; processing: number }>;
  by_client: Array<{ client_id: string; name: string | null; queued: number; processing: number }>;
  throughput: { last_minute: { completed: number; failed: number }; last_hour: { completed: number; failed: number } };
}

const wait = (s: number | null) => (s === null ? '—' : s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

function Groups({ title, rows }: { title: string; rows: Array<{ name: string; queued: number; processing: number }> }) {
  return (
    <div class="card">
      <h2>{title}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{title.replace(/^Per /, '')}</th>
              <th scope="col" class="num">Queued</th>
              <th scope="col" class="num">Running</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={3} class="muted">
                  Nothing waiting or running.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td class="num">{r.queued}</td>
                <td class="num">{r.processing}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function Queue() {
  const [view, setView] = useState<QueueView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      try {
        const v = await call<QueueView>('/admin/v1/queue');
        if (stopped) return;
        setView(v);
        setError(null);
      } catch (err) {
        if (!stopped) setError(errorText(err));
      }
      if (!stopped) timer = setTimeout(load, 2000);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <>
          <div class="grid" aria-live="polite">
            <div class="card">
              <div class="muted small">Queued</div>
              <div class="stat" data-testid="queued">{view.queued}</div>
            </div>
            <div class="card">
              <div class="muted small">Running</div>
              <div class="stat" data-testid="processing">{view.processing}</div>
            </div>
            <div class="card">
              <div class="muted small">Oldest wait</div>
              <div class="stat">{wait(view.oldest_wait_seconds)}</div>
            </div>
            <div class="card">
              <div class="muted small">Throughput</div>
              <div class="stat">{view.throughput.last_minute.completed}/min</div>
              <div class="muted small">
                {view.throughput.last_hour.completed} completed, {view.throughput.last_hour.failed} failed in the last hour
              </div>
            </div>
          </div>
          <div class="grid">
            <Groups title="Per model" rows={view.by_model.map((m) => ({ name: m.model, queued: m.queued, processing: m.processing }))} />
            <Groups title="Per client" rows={view.by_client.map((c) => ({ name: c.name ?? c.client_id, queued: c.queued, processing: c.processing }))} />
          </div>
        </>
      )}
    </section>
  );
}
