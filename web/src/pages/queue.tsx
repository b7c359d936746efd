import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import { Notice, Table } from '../components/fields.js';

interface QueueView {
  now: string;
  queued: number;
  processing: number;
  oldest_queued_at: string | null;
  oldest_wait_seconds: number | null;
  by_engine: Array<{ engine: string; queued: number; processing: number }>;
  by_model: Array<{ model: string; queued: number; processing: number }>;
  by_client: Array<{ client_id: string; name: string | null; queued: number; processing: number }>;
  throughput: { last_minute: { completed: number; failed: number }; last_hour: { completed: number; failed: number } };
}

interface WorkerProcess {
  id: string;
  role: string;
  alive: boolean;
  host: string;
  pid: number;
  version: string;
  worker_slots: number;
  jobs_running: number;
  started_at: string;
  last_seen_at: string;
  stopped_at: string | null;
}

const ago = (iso: string, now: number) => wait(Math.max(0, Math.round((now - Date.parse(iso)) / 1000)));

function Workers({ processes }: { processes: WorkerProcess[] }) {
  const now = Date.now();
  return (
    <div class="card">
      <h2>Processes</h2>
      <Table
        columns={[{ label: 'Process' }, { label: 'Health' }, { label: 'Jobs', num: true }, { label: 'Last heard' }, { label: 'Version' }]}
        empty={processes.length === 0 && 'No process has reported in the last hour.'}
      >
        {processes.map((p) => (
          <tr key={p.id}>
            <th scope="row">
              {p.role} <span class="muted small">{p.host}:{p.pid}</span>
            </th>
            <td>
              <span class={`badge ${p.alive ? 'state-completed' : 'state-failed'}`}>{p.alive ? 'alive' : p.stopped_at ? 'stopped' : 'silent'}</span>
            </td>
            <td class="num">
              {p.jobs_running} / {p.worker_slots}
            </td>
            <td>{ago(p.last_seen_at, now)} ago</td>
            <td>{p.version}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

const wait = (s: number | null) => (s === null ? '—' : s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

function Groups({ title, rows }: { title: string; rows: Array<{ name: string; queued: number; processing: number }> }) {
  return (
    <div class="card">
      <h2>{title}</h2>
      <Table columns={[{ label: title.replace(/^Per /, '') }, { label: 'Queued', num: true }, { label: 'Running', num: true }]} empty={rows.length === 0 && 'Nothing waiting or running.'}>
            {rows.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td class="num">{r.queued}</td>
                <td class="num">{r.processing}</td>
              </tr>
            ))}
      </Table>
    </div>
  );
}

export function Queue() {
  const [view, setView] = useState<QueueView | null>(null);
  const [processes, setProcesses] = useState<WorkerProcess[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      try {
        const [v, w] = await Promise.all([call<QueueView>('/admin/v1/queue'), call<{ data: WorkerProcess[] }>('/admin/v1/workers')]);
        if (stopped) return;
        setView(v);
        setProcesses(w.data);
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
      <Notice error={error} />
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
            <Groups title="Per engine" rows={view.by_engine.map((e) => ({ name: e.engine, queued: e.queued, processing: e.processing }))} />
            <Groups title="Per model" rows={view.by_model.map((m) => ({ name: m.model, queued: m.queued, processing: m.processing }))} />
            <Groups title="Per client" rows={view.by_client.map((c) => ({ name: c.name ?? c.client_id, queued: c.queued, processing: c.processing }))} />
          </div>
          {processes && <Workers processes={processes} />}
        </>
      )}
    </section>
  );
}
