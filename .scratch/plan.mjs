import { openStore } from '/work/main/dist/src/store/index.js';
import SqliteDatabase from 'better-sqlite3';
import fs from 'node:fs';
const dir = fs.mkdtempSync('/tmp/plan-');
(await openStore({ dataDir: dir })).close();
const db = new SqliteDatabase(dir + '/atelier.db');
console.log(db.prepare("select sql from sqlite_master where name = 'generations_client_user_created'").get());
for (const q of [
  "select coalesce(sum(price_micros), 0) from generations where client_id = ? and user_id = ? and created_at >= ? and state != 'failed'",
  "select count(*) from generations where client_id = ? and created_at >= ? and created_at < ? and user_id = ?",
]) console.log(db.prepare('explain query plan ' + q).all(...['c', 'u', 0, 1].slice(0, (q.match(/\?/g) || []).length)).map((r) => r.detail));
fs.rmSync(dir, { recursive: true, force: true });
