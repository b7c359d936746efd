// Usage-query latency over 1 million generations of one client, against a primary-key read.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { generations, openStore, usage } from '../src/store/index.js';
import { medianMs, report } from './measure.js';

export async function usageScenario(total: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-usage-'));
  try {
    (await openStore({ dataDir })).close();
    const raw = new SqliteDatabase(path.join(dataDir, 'atelier.db'));
    const clientId = randomUUID();
    raw.prepare("insert into clients (id, name, status, created_at) values (?, 'bench', 'active', 0)").run(clientId);
    const insert = raw.prepare(
      `insert into generations (id, client_id, api_key_id, type, model, state, request, user_id, price_micros, created_at, updated_at)
       values (?, ?, 'k', ?, ?, ?, '{}', ?, ?, ?, ?)`,
    );
    const start = Date.UTC(2026, 0, 1);
    const states = ['completed', 'completed', 'completed', 'failed'];
    let someId = '';
    // The daily rollups the server keeps in step with every write, built here as the seeding goes.
    const rollups = { usage_daily: new Map<string, number[]>(), usage_daily_user: new Map<string, number[]>() };
    raw.transaction(() => {
      for (let i = 0; i < total; i++) {
        someId = randomUUID();
        const at = start + Math.floor((i / total) * 300 * 86_400_000);
        const [type, model, state, user] = [i % 5 ? 'image' : 'image_edit', i % 3 ? 'uni-1' : 'uni-1-max', states[i % 4], `user-${i % 1000}`];
        insert.run(someId, clientId, type, model, state, user, 40_400, at, at);
        const day = Math.floor(at / 86_400_000);
        for (const [map, key] of [[rollups.usage_daily, [clientId, day, model, type]], [rollups.usage_daily_user, [clientId, user, day, model, type]]] as const) {
          const counts = map.get(key.join('|')) ?? [0, 0, 0, 0];
          map.set(key.join('|'), [counts[0] + 1, counts[1] + (state === 'completed' ? 1 : 0), counts[2] + (state === 'failed' ? 1 : 0), counts[3] + (state === 'failed' ? 0 : 40_400)]);
        }
      }
      for (const [table, map] of Object.entries(rollups)) {
        const columns = table === 'usage_daily' ? 'client_id, day, model, type' : 'client_id, user_id, day, model, type';
        const count = raw.prepare(`insert into ${table} (${columns}, generations, completed, failed, cost_micros) values (${columns.replace(/\w+/g, '?')}, ?, ?, ?, ?)`);
        for (const [key, counts] of map) count.run(...key.split('|'), ...counts);
      }
    })();
    raw.close();

    const store = await openStore({ dataDir });
    try {
      const baseline = await medianMs(50, () => generations.getGeneration(store, someId, clientId));
      // Ranges that start and end mid-day, as callers' ranges do.
      const range = { clientId, start: start + 3_600_000, end: start + 30 * 86_400_000 + 7_200_000 };
      const userDay = await medianMs(20, () => usage.usageRows(store.db, { ...range, userId: 'user-7', groupBy: 'day' }));
      const month = await medianMs(5, () => usage.usageRows(store.db, { ...range, groupBy: 'model' }));
      const all = await medianMs(3, () => usage.usageRows(store.db, { clientId, start, end: start + 400 * 86_400_000 }));
      report(`usage: one user_id, 30 days by day (${total / 1e6}M rows)`, `${userDay.toFixed(1)} ms`, `${(userDay / baseline).toFixed(0)}× pk read`, 'milliseconds');
      report('usage: whole client, 30 days by model', `${month.toFixed(1)} ms`, `${(month / baseline).toFixed(0)}× pk read`, 'milliseconds');
      report('usage: whole client, all time, totals', `${all.toFixed(1)} ms`, `${(all / baseline).toFixed(0)}× pk read`, '—');
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
