import { useEffect, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import { Notice, Select, Table } from '../components/fields.js';

export interface Client {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'deactivated';
  rpm_limit: number | null;
  max_concurrent: number | null;
  balance_micros: number | null;
  created_at: string;
}
export interface Key {
  id: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  fault?: string | null;
}
interface LedgerEntry {
  id: string;
  kind: string;
  amount_micros: number;
  generation_id: string | null;
  user_id: string | null;
  reason: string | null;
  created_at: string;
}

const usd = (micros: number | null) => (micros === null ? 'Unlimited' : `$${(micros / 1e6).toFixed(2)}`);
const limit = (n: number | null) => (n === null ? 'default' : n === 0 ? 'unlimited' : String(n));
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

/** The operator's clients, reloaded when `version` changes. */
export function useClients(enabled = true, version = 0): Client[] | null {
  const [list, setList] = useState<Client[] | null>(null);
  useEffect(() => {
    if (enabled) call<{ data: Client[] }>('/admin/v1/clients').then((r) => setList(r.data), () => setList([]));
  }, [enabled, version]);
  return list;
}

/** Runs an admin call, reporting its outcome. */
function useAction(after: () => void) {
  const [status, setStatus] = useState<{ text: string | null; error: string | null }>({ text: null, error: null });
  const run = async (work: () => Promise<string | void>) => {
    setStatus({ text: null, error: null });
    try {
      const text = await work();
      setStatus({ text: text ?? null, error: null });
      after();
    } catch (err) {
      setStatus({ text: null, error: errorText(err) });
    }
  };
  return { status, run };
}

function CreateClient({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [credits, setCredits] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const { status, run } = useAction(onCreated);
  return (
    <form
      class="card"
      aria-labelledby="create-client-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const created = await call<{ client: Client; key: string }>('/admin/v1/clients', {
            body: { name, credits_usd: numberOrNull(credits) },
          });
          setKey(created.key);
          setName('');
          setCredits('');
          return `Created ${created.client.name}.`;
        });
      }}
    >
      <h2 id="create-client-title">New client</h2>
      <div class="row wrap">
        <div class="field grow">
          <label for="client-name">Name</label>
          <input id="client-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="client-credits">Starting credits (USD)</label>
          <input id="client-credits" type="number" min={0} step="0.01" placeholder="unlimited" value={credits} onInput={(e) => setCredits(e.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" class="primary" disabled={!name.trim()}>
        Create client
      </button>
      <Notice {...status} />
      {key && <ShownOnce value={key} />}
    </form>
  );
}

function ShownOnce({ value }: { value: string }) {
  return (
    <div class="once" role="status">
      <p class="small">
        The new API key, shown <strong>once</strong>: only its hash is stored.
      </p>
      <code data-testid="new-key">{value}</code>{' '}
      <button type="button" class="ghost small" onClick={() => void navigator.clipboard?.writeText(value).catch(() => {})}>
        Copy
      </button>
    </div>
  );
}

function ClientPanel({ client, onChange }: { client: Client; onChange: () => void }) {
  const [keys, setKeys] = useState<Key[]>([]);
  const [ledger, setLedger] = useState<LedgerEntry[]>([]);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const refresh = () => {
    setVersion((v) => v + 1);
    onChange();
  };
  const { status, run } = useAction(refresh);
  const [op, setOp] = useState('credit');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [rpm, setRpm] = useState(client.rpm_limit === null ? '' : String(client.rpm_limit));
  const [concurrency, setConcurrency] = useState(client.max_concurrent === null ? '' : String(client.max_concurrent));
  const [budgetUser, setBudgetUser] = useState('');
  const [budgetPeriod, setBudgetPeriod] = useState('month');
  const [budgetLimit, setBudgetLimit] = useState('');
  const base = `/admin/v1/clients/${encodeURIComponent(client.id)}`;

  useEffect(() => {
    call<{ data: Key[] }>(`${base}/keys`).then((r) => setKeys(r.data), () => setKeys([]));
    call<{ data: LedgerEntry[] }>(`${base}/ledger?limit=50`).then((r) => setLedger(r.data), () => setLedger([]));
  }, [client.id, version]);
  useEffect(() => {
    setNewKey(null);
    setRpm(client.rpm_limit === null ? '' : String(client.rpm_limit));
    setConcurrency(client.max_concurrent === null ? '' : String(client.max_concurrent));
  }, [client.id]);

  return (
    <section class="stack-v" aria-labelledby="client-title">
      <div class="card">
        <div class="row spread">
          <h2 id="client-title">{client.name}</h2>
          <span class={`badge ${client.status === 'active' ? 'state-completed' : 'state-failed'}`}>{client.status}</span>
        </div>
        <dl class="facts">
          <dt>id</dt>
          <dd>
            <code>{client.id}</code>
          </dd>
          <dt>Balance</dt>
          <dd data-testid="client-balance">{usd(client.balance_micros)}</dd>
          <dt>Created</dt>
          <dd>{new Date(client.created_at).toLocaleString()}</dd>
        </dl>
        <form
          class="row wrap"
          aria-label="Limits"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await call(base, { method: 'PATCH', body: { rpm_limit: numberOrNull(rpm), max_concurrent: numberOrNull(concurrency) } });
              return 'Limits saved.';
            });
          }}
        >
          <div class="field">
            <label for="rpm">RPM limit</label>
            <input id="rpm" type="number" min={0} step={1} placeholder="default" value={rpm} onInput={(e) => setRpm(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="concurrency">Max concurrent</label>
            <input id="concurrency" type="number" min={0} step={1} placeholder="default" value={concurrency} onInput={(e) => setConcurrency(e.currentTarget.value)} />
          </div>
          <div class="field">
            <button type="submit">Save limits</button>
          </div>
        </form>
        <div class="row wrap">
          {client.status === 'active' ? (
            <button
              type="button"
              class="danger"
              onClick={() => run(async () => void (await call(base, { method: 'PATCH', body: { status: 'suspended' } }), 'Suspended.'))}
            >
              Suspend
            </button>
          ) : (
            <button type="button" onClick={() => run(async () => void (await call(base, { method: 'PATCH', body: { status: 'active' } }), 'Reactivated.'))}>
              Reactivate
            </button>
          )}
        </div>
        <Notice {...status} />
      </div>

      <div class="card">
        <div class="row spread">
          <h2>Keys</h2>
          <button
            type="button"
            onClick={() =>
              run(async () => {
                const created = await call<{ key: string }>(`${base}/keys`, { body: {} });
                setNewKey(created.key);
                return 'Key created.';
              })
            }
          >
            Create key
          </button>
        </div>
        {newKey && <ShownOnce value={newKey} />}
        <Table columns={[{ label: 'Key' }, { label: 'Created' }, { label: 'State' }, { label: 'Fault' }, { label: 'Actions', hidden: true }]}>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">
                    <code>{k.prefix}…</code>
                  </th>
                  <td>{new Date(k.created_at).toLocaleDateString()}</td>
                  <td>{k.revoked_at ? 'revoked' : k.expires_at && Date.parse(k.expires_at) < Date.now() ? 'expired' : 'active'}</td>
                  <td>{k.fault ?? '—'}</td>
                  <td>
                    {!k.revoked_at && (
                      <button
                        type="button"
                        class="danger small"
                        onClick={() => run(async () => void (await call(`/admin/v1/keys/${k.id}`, { method: 'PATCH', body: { revoked: true } }), 'Key revoked.'))}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
        </Table>
      </div>

      <form
        class="card"
        aria-labelledby="credits-title"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await call(`${base}/credits`, { body: { op, ...(op === 'unlimited' ? {} : { amount_usd: Number(amount) }), reason: reason || null } });
            setAmount('');
            setReason('');
            return 'Balance changed.';
          });
        }}
      >
        <h2 id="credits-title">Credits</h2>
        <div class="row wrap">
          <Select
            id="credit-op"
            label="Change"
            value={op}
            options={[['credit', 'credit'], ['debit', 'debit'], ['set', 'set to'], ['unlimited', 'unlimited']]}
            onChange={setOp}
          />
          {op !== 'unlimited' && (
            <div class="field">
              <label for="credit-amount">Amount (USD)</label>
              <input id="credit-amount" type="number" min={0} step="0.01" required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
            </div>
          )}
          <div class="field grow">
            <label for="credit-reason">Reason</label>
            <input id="credit-reason" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          <div class="field">
            <button type="submit" class="primary">
              Apply
            </button>
          </div>
        </div>
        <h3 class="small muted">Ledger (latest 50)</h3>
        <Table columns={[{ label: 'When' }, { label: 'Kind' }, { label: 'Amount', num: true }, { label: 'Reason' }]}>
              {ledger.map((entry) => (
                <tr key={entry.id}>
                  <td>{new Date(entry.created_at).toLocaleString()}</td>
                  <td>{entry.kind}</td>
                  <td class="num">{(entry.amount_micros / 1e6).toFixed(4)}</td>
                  <td>{entry.reason ?? (entry.generation_id ? <a href={`#/generations/${entry.generation_id}`}>{entry.generation_id.slice(0, 8)}</a> : '')}</td>
                </tr>
              ))}
        </Table>
      </form>

      <form
        class="card"
        aria-labelledby="budget-title"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await call(`${base}/budgets/${encodeURIComponent(budgetUser)}`, { method: 'PUT', body: { period: budgetPeriod, limit_usd: numberOrNull(budgetLimit) } });
            return budgetLimit.trim() === '' ? 'Budget removed.' : 'Budget saved.';
          });
        }}
      >
        <h2 id="budget-title">User budget</h2>
        <p class="muted small">Caps what one user_id may spend; leave the limit empty to remove a budget. The Usage page lists every budget.</p>
        <div class="row wrap">
          <div class="field">
            <label for="budget-user">user_id</label>
            <input id="budget-user" required maxLength={256} value={budgetUser} onInput={(e) => setBudgetUser(e.currentTarget.value)} />
          </div>
          <Select id="budget-period" label="Period" value={budgetPeriod} options={['day', 'month']} onChange={setBudgetPeriod} />
          <div class="field">
            <label for="budget-limit">Limit (USD)</label>
            <input id="budget-limit" type="number" min={0} step="0.01" value={budgetLimit} onInput={(e) => setBudgetLimit(e.currentTarget.value)} />
          </div>
          <div class="field">
            <button type="submit" disabled={!budgetUser.trim()}>
              Save budget
            </button>
          </div>
        </div>
      </form>
    </section>
  );
}

export function Administration() {
  const [version, setVersion] = useState(0);
  const clients = useClients(true, version);
  const [selected, setSelected] = useState<string | null>(null);
  const client = clients?.find((c) => c.id === selected) ?? clients?.[0] ?? null;
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <div class="detail">
        <div class="stack-v">
          <div class="card">
            <h2>Clients</h2>
            <Table columns={[{ label: 'Name' }, { label: 'Status' }, { label: 'Balance', num: true }, { label: 'RPM' }, { label: 'Concurrency' }]}>
                  {(clients ?? []).map((c) => (
                    <tr key={c.id} class={c.id === client?.id ? 'selected' : ''}>
                      <th scope="row">
                        <button type="button" class="link" aria-pressed={c.id === client?.id} onClick={() => setSelected(c.id)}>
                          {c.name}
                        </button>
                      </th>
                      <td>{c.status}</td>
                      <td class="num">{usd(c.balance_micros)}</td>
                      <td>{limit(c.rpm_limit)}</td>
                      <td>{limit(c.max_concurrent)}</td>
                    </tr>
                  ))}
            </Table>
          </div>
          <CreateClient onCreated={() => setVersion(version + 1)} />
        </div>
        {client && <ClientPanel client={client} onChange={() => setVersion((v) => v + 1)} />}
      </div>
    </section>
  );
}
