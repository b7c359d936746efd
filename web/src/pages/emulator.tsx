import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import { Notice, Table } from '../components/fields.js';
import { useClients, type Key } from './administration.js';

interface EmulatorView {
  mode: 'emulator' | 'gateway';
  latency: string;
  time_scale: number;
  chaos: number;
  clock: 'virtual' | 'system';
  faults: { grammar: string; examples: string[] };
}
interface ClockView {
  now: string;
  virtual: boolean;
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
          <div class="card">
            <div class="muted small">Latency profile</div>
            <div class="stat">{view.latency}</div>
            <p class="muted small">
              Set at start with <code>--latency</code> (instant, realistic or fixed:&lt;ms&gt;); time scale {view.time_scale}, chaos {view.chaos}.
            </p>
          </div>
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
