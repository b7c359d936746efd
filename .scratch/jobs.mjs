import SqliteDatabase from 'better-sqlite3';
import fs from 'node:fs';
import { timeOrderedId } from '/work/main/dist/src/store/index.js';
for (const variant of ['rowid', 'without rowid', 'rowid', 'without rowid']) {
  const dir = fs.mkdtempSync('/tmp/jobs-');
  const db = new SqliteDatabase(dir + '/x.db');
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
  db.exec(`create table jobs (generation_id text primary key, run_at bigint not null, attempts integer not null default 0, max_attempts integer not null, locked_by text, locked_until bigint, last_error text, created_at bigint not null)${variant === 'rowid' ? '' : ' without rowid'}; create index jobs_run_at on jobs (run_at);`);
  const ins = db.prepare('insert into jobs (attempts, created_at, generation_id, last_error, locked_by, locked_until, max_attempts, run_at) values (?,?,?,?,?,?,?,?)');
  const begin = db.prepare('begin'), commit = db.prepare('commit');
  let now = Date.now();
  const batch = (n) => { begin.run(); for (let i = 0; i < n; i++) { now++; ins.run([0, now, timeOrderedId(now), null, null, null, 3, now]); } commit.run(); };
  for (let i = 0; i < 200; i++) batch(20);
  const t = process.hrtime.bigint();
  for (let i = 0; i < 2000; i++) batch(20);
  console.log(variant, (Number(process.hrtime.bigint() - t) / 40000 / 1000).toFixed(2), 'µs per insert');
  fs.rmSync(dir, { recursive: true, force: true });
}
