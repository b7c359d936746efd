import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import { Notice, Select, Table } from '../components/fields.js';
import { useClients, type Key } from './administration.js';

interface EmulatorView {
  mode: 'emulator' | 'gateway';
  latency: string;
  /** What --latency started the server with (absent on older servers). */
  latency_configured?: string;
  time_scale: number;
  chaos: number;
  clock: 'virtual' | 'system';
  faults: { grammar: string; examples: string[] };
}
interface ClockView {
  now: string;
  virtual: boolean;
}

const PROFILES = [
  ['instant', 'Instant'],
  ['realistic', "Realistic (Luma's documented times)"],
  ['fixed', 'Fixed time'],
] as const;

/** The latency profile of every generation submitted from now on, on every API process. */
function LatencyForm({ view, onSaved }: { view: EmulatorView; onSaved: (view: EmulatorView | null, text: string | null, error: string | null) => void }) {
  const fixed = /^fixed:(\d+)$/.exec(view.latency);
  const [kind, setKind] = useState(fixed ? 'fixed' : view.latency);
  const [ms, setMs] = useState(fixed ? fixed[1] : '2000');
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const saved = await call<EmulatorView>('/admin/v1/emulator', { method: 'PATCH', body: { latency: kind === 'fixed' ? `fixed:${ms}` : kind } });
      onSaved(saved, `Latency profile: ${saved.latency}.`, null);
    } catch (err) {
      onSaved(null, null, errorText(err));
    }
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="latency-title">
      <div class="muted small" id="latency-title">
        Latency profile
      </div>
      <div class="stat" data-testid="latency">
        {view.latency}
      </div>
      <div class="row wrap">
        <Select id="latency-kind" label="Profile" value={kind} options={PROFILES} onChange={setKind} />
        {kind === 'fixed' && (
          <div class="field narrow">
            <label for="latency-ms">Duration (ms)</label>
            <input id="latency-ms" type="number" min={0} max={99_999_999} step={1} required value={ms} onInput={(e) => setMs(e.currentTarget.value)} />
          </div>
        )}
        <div class="field">
          <button type="submit" class="primary">
            Apply
          </button>
        </div>
      </div>
      <p class="muted small">
        For generations submitted from now on, on every API process (within 2 s).
        {view.latency_configured !== undefined && view.latency_configured !== view.latency && (
          <>
            {' '}
            Started with <code>--latency {view.latency_configured}</code>; a restart with a different <code>--latency</code> goes back to it.
          </>
        )}{' '}
        Time scale {view.time_scale}, chaos {view.chaos}.
      </p>
    </form>
  );
}

function KeyFault({ k, examples, onSaved }: { k: Key; examples: string[]; onSaved: (text: string | null, error: string | null) => void }) {
  const [value, setValue] = useState(k.fault ?? '');
  const id = `fault-${k.id}`;
  return (
    <form
      class="row"
      aria-label={`Fault of key ${k.prefix}`}
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const saved = await call<Key>(`/admin/v1/keys/${k.id}`, { method: 'PATCH', body: { fault: value.trim() || null } });
          onSaved(`Key ${saved.prefix}…: ${saved.fault ?? 'no fault'}.`, null);
        } catch (err) {
          onSaved(null, errorText(err));
        }
      }}
    >
      <div class="field grow">
        <label for={id} class="sr-only">
          Fault of key {k.prefix}
        </label>
        <input id={id} list="fault-examples" placeholder="none" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <datalist id="fault-examples">
          {examples.map((x) => (
            <option key={x} value={x} />
          ))}
        </datalist>
      </div>
      <div class="field">
        <button type="submit" class="small">
          Set
        </button>
      </div>
    </form>
  );
}

export function Emulator() {
  const [view, setView] = useState<EmulatorView | null>(null);
  const [clock, setClock] = useState<ClockView | null>(null);
  const [seconds, setSeconds] = useState('3600');
  const [status, setStatus] = useState<{ text: string | null; error: string | null }>({ text: null, error: null });
  const clients = useClients();
  const [keys, setKeys] = useState<Array<Key & { client: string }>>([]);

  useEffect(() => {
    call<EmulatorView>('/admin/v1/emulator').then(setView, (err) => setStatus({ text: null, error: errorText(err) }));
    call<ClockView>('/admin/v1/clock').then(setClock, () => {});
  }, []);
  useEffect(() => {
    if (!clients) return;
    Promise.all(
      clients.slice(0, 50).map((c) => call<{ data: Key[] }>(`/admin/v1/clients/${c.id}/keys`).then((r) => r.data.filter((k) => !k.revoked_at).map((k) => ({ ...k, client: c.name })))),
    ).then((lists) => setKeys(lists.flat()), () => {});
  }, [clients]);

  const advance = async (e: Event) => {
    e.preventDefault();
    try {
      setClock(await call<ClockView>('/admin/v1/clock/advance', { body: { seconds: Number(seconds) } }));
      setStatus({ text: `Clock moved forward ${seconds} s.`, error: null });
    } catch (err) {
      setStatus({ text: null, error: errorText(err) });
    }
  };

  return (
    <section aria-labelledby="emulator-title">
      <h1 id="emulator-title">Emulator</h1>
      <Notice {...status} />
      {view && view.mode === 'gateway' && <p class="card">This server runs in gateway mode: faults, latency profiles and the virtual clock are off.</p>}
      {view && view.mode === 'emulator' && (
        <div class="grid">
          <LatencyForm
            view={view}
            onSaved={(saved, text, error) => {
              if (saved) setView(saved);
              setStatus({ text, error });
            }}
          />
          <form class="card" onSubmit={advance} aria-labelledby="clock-title">
            <div class="muted small" id="clock-title">
              {clock?.virtual ? 'Virtual clock' : 'System clock'}
            </div>
            <div class="stat" data-testid="clock-now">
              {clock ? new Date(clock.now).toISOString().replace('T', ' ').replace('.000Z', ' UTC') : '…'}
            </div>
            {clock?.virtual ? (
              <div class="row wrap">
                <div class="field">
                  <label for="advance-seconds">Seconds</label>
                  <input id="advance-seconds" type="number" min={0} step={1} value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
                </div>
                <div class="field">
                  <button type="submit" class="primary">
                    Advance
                  </button>
                </div>
              </div>
            ) : (
              <p class="muted small">
                Start with <code>--clock virtual</code> to move time by hand.
              </p>
            )}
          </form>
        </div>
      )}
      {view && view.mode === 'emulator' && (
        <div class="card">
          <h2>Faults per key</h2>
          <p class="muted small">Every submission with the key gets this fault: {view.faults.grammar}. A request's X-Atelier-Fault header still wins.</p>
          <Table columns={[{ label: 'Client' }, { label: 'Key' }, { label: 'Fault' }]}>
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td>{k.client}</td>
                    <th scope="row">
                      <code>{k.prefix}…</code>
                    </th>
                    <td>
                      <KeyFault k={k} examples={view.faults.examples} onSaved={(text, error) => setStatus({ text, error })} />
                    </td>
                  </tr>
                ))}
          </Table>
        </div>
      )}
    </section>
  );
}
