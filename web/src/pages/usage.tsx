import { useEffect, useState } from 'preact/hooks';
import { call, errorText, query } from '../api.js';
import { TimeChart, type Series } from '../components/chart.js';
import { FilterInput, Notice, Select, Table } from '../components/fields.js';
import { downloadText, toCsv } from '../csv.js';
import type { Session } from '../session.js';
import { useClients } from './administration.js';

interface UsageRow {
  day?: string;
  model?: string;
  type?: string;
  user_id?: string | null;
  generations: number;
  by_state: { queued: number; processing: number; completed: number; failed: number };
  cost_usd: string;
}
interface UsageBody {
  start: string;
  end: string;
  totals: UsageRow;
  data: UsageRow[];
}
interface Account {
  name: string;
  status: string;
  balance_usd: string | null;
  rpm_limit: number | null;
  max_concurrent: number | null;
  budgets: Array<{ user_id: string; period: string; limit_usd: string; spent_usd: string }>;
}

const GROUPS = ['model', 'type', 'user_id', 'day'] as const;
type Group = (typeof GROUPS)[number];
const RANGES = [7, 30, 90] as const;
const DAY = 86_400_000;

/** Every day of the range, so days without generations chart as zero. */
function dayList(start: string, end: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(start.slice(0, 10)); t < Date.parse(end); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Day × model rows summed per day. */
function perDay(rows: UsageRow[]): Map<string, { cost: number; generations: number }> {
  const days = new Map<string, { cost: number; generations: number }>();
  for (const r of rows) {
    const day = days.get(r.day!) ?? { cost: 0, generations: 0 };
    day.cost += Number(r.cost_usd);
    day.generations += r.generations;
    days.set(r.day!, day);
  }
  return days;
}

const usd = (v: number) => `$${v.toFixed(v !== 0 && Math.abs(v) < 0.1 ? 3 : 2)}`;

function daySeries(days: string[], byDay: ReturnType<typeof perDay>): Series[] {
  return [
    { label: 'Cost (USD)', color: '#4b3fd6', values: days.map((d) => byDay.get(d)?.cost ?? 0), format: usd },
    { label: 'Generations', color: '#d6409f', right: true, bars: true, values: days.map((d) => byDay.get(d)?.generations ?? 0) },
  ];
}

export function Usage({ role }: { role: Session['role'] }) {
  const clients = useClients(role === 'operator');
  const [clientId, setClientId] = useState('');
  const [range, setRange] = useState<number>(30);
  const [group, setGroup] = useState<Group>('model');
  const [userId, setUserId] = useState('');
  const [daily, setDaily] = useState<UsageBody | null>(null);
  const [grouped, setGrouped] = useState<UsageBody | null>(null);
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  const operatorClient = role === 'operator' ? clientId || clients?.[0]?.id || '' : null;
  const base = role === 'operator' ? (operatorClient ? `/admin/v1/clients/${encodeURIComponent(operatorClient)}` : null) : '/v1';

  useEffect(() => {
    if (!base) return;
    const today = Math.floor(Date.now() / DAY);
    // The range ends a day past today: a server on a virtual clock a little ahead of this browser still shows its latest.
    const common = { start: new Date((today - range + 1) * DAY).toISOString(), end: new Date((today + 2) * DAY).toISOString(), user_id: userId || undefined, limit: 1000 };
    const usage = (groupBy: string) => call<UsageBody>(`${base}/usage${query({ ...common, group_by: groupBy })}`);
    // The account is an extension (absent with --strict): usage still shows without it.
    Promise.all([usage('day,model'), usage(group), call<Account>(`${base}/account`).catch(() => null)]).then(
      ([d, g, a]) => {
        setDaily(d);
        setGrouped(g);
        setAccount(a);
        setError(null);
      },
      (err) => setError(errorText(err)),
    );
  }, [base, range, group, userId, tick]);

  // Tomorrow is charted only when the server already has usage there.
  const lastDay = daily?.data.reduce((last, r) => (r.day! > last ? r.day! : last), new Date().toISOString().slice(0, 10));
  const days = daily ? dayList(daily.start, new Date(Date.parse(lastDay!) + DAY).toISOString()) : [];
  const byDay = perDay(daily?.data ?? []);
  const models = [...new Set((daily?.data ?? []).map((r) => r.model!))].sort();
  const csvRow = (r: UsageRow) => [r.generations, r.by_state.completed, r.by_state.failed, r.by_state.queued + r.by_state.processing, r.cost_usd];
  const counts = ['generations', 'completed', 'failed', 'open', 'cost_usd'];
  const exportCsv = () => {
    if (!grouped) return;
    downloadText(`atelier-usage-by-${group}.csv`, toCsv([group, ...counts], grouped.data.map((r) => [r[group] ?? '', ...csvRow(r)])));
  };
  const exportDaily = () => {
    if (!daily) return;
    downloadText('atelier-usage-by-day-and-model.csv', toCsv(['day', 'model', ...counts], daily.data.map((r) => [r.day!, r.model!, ...csvRow(r)])));
  };

  return (
    <section aria-labelledby="usage-title">
      <div class="row spread">
        <h1 id="usage-title">Usage</h1>
        <button type="button" class="ghost small" onClick={() => setTick(tick + 1)}>
          Refresh
        </button>
      </div>
      <form class="toolbar card" onSubmit={(e) => e.preventDefault()} aria-label="Usage range">
        {role === 'operator' && (
          <Select id="usage-client" label="Client" value={operatorClient ?? ''} options={(clients ?? []).map((c) => [c.id, c.name] as const)} onChange={setClientId} />
        )}
        <Select id="usage-range" label="Range" value={range} options={RANGES.map((r) => [r, `Last ${r} days`] as const)} onChange={(v) => setRange(Number(v))} />
        <Select id="usage-group" label="Break down by" value={group} options={GROUPS} onChange={(v) => setGroup(v as Group)} />
        <FilterInput id="usage-user" label="user_id" placeholder="all users" value={userId} onCommit={setUserId} />
      </form>
      <Notice error={error} />
      {daily && (
        <div class="grid">
          <div class="card">
            <div class="muted small">Cost, last {range} days</div>
            <div class="stat" data-testid="total-cost">${daily.totals.cost_usd}</div>
          </div>
          <div class="card">
            <div class="muted small">Generations</div>
            <div class="stat" data-testid="total-generations">{daily.totals.generations}</div>
            <div class="muted small">
              {daily.totals.by_state.completed} completed · {daily.totals.by_state.failed} failed
            </div>
          </div>
          {account && (
          <div class="card">
            <div class="muted small">Balance</div>
            <div class="stat" data-testid="balance">{account.balance_usd === null ? 'Unlimited' : `$${account.balance_usd}`}</div>
            <div class="muted small">
              {account.name} · {account.status} · RPM {account.rpm_limit ?? 'default'} · concurrency {account.max_concurrent ?? 'default'}
            </div>
          </div>
          )}
        </div>
      )}
      {daily && (
        <div class="card">
          <div class="row spread">
            <h2>Per day</h2>
            <button type="button" onClick={exportDaily}>
              Export daily CSV
            </button>
          </div>
          <TimeChart title={`Cost and generations per day, last ${range} days`} days={days} series={daySeries(days, byDay)} />
        </div>
      )}
      {daily && models.length > 0 && (
        <section class="card" aria-labelledby="per-model-title">
          <h2 id="per-model-title">Per model, per day</h2>
          <div class="model-charts">
            {models.map((model) => (
              <figure key={model} class="model-chart" data-model={model}>
                <figcaption>{model}</figcaption>
                <TimeChart
                  title={`${model}: cost and generations per day, last ${range} days`}
                  days={days}
                  height={180}
                  series={daySeries(days, perDay(daily.data.filter((r) => r.model === model)))}
                />
              </figure>
            ))}
          </div>
        </section>
      )}
      {grouped && (
        <div class="card">
          <div class="row spread">
            <h2>By {group}</h2>
            <button type="button" onClick={exportCsv}>
              Export CSV
            </button>
          </div>
          <Table
            columns={[{ label: group }, { label: 'Generations', num: true }, { label: 'Completed', num: true }, { label: 'Failed', num: true }, { label: 'Cost (USD)', num: true }]}
            empty={grouped.data.length === 0 && 'Nothing in this range.'}
          >
            {grouped.data.map((r, i) => (
              <tr key={i}>
                <th scope="row">{r[group] ?? <span class="muted">(none)</span>}</th>
                <td class="num">{r.generations}</td>
                <td class="num">{r.by_state.completed}</td>
                <td class="num">{r.by_state.failed}</td>
                <td class="num">{r.cost_usd}</td>
              </tr>
            ))}
          </Table>
        </div>
      )}
      {account && account.budgets.length > 0 && (
        <div class="card">
          <h2>User budgets</h2>
          <Table columns={[{ label: 'user_id' }, { label: 'Period' }, { label: 'Spent', num: true }, { label: 'Limit', num: true }]}>
            {account.budgets.map((b) => (
              <tr key={`${b.user_id}-${b.period}`}>
                <th scope="row">{b.user_id}</th>
                <td>{b.period}</td>
                <td class="num">${b.spent_usd}</td>
                <td class="num">${b.limit_usd}</td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </section>
  );
}
