import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** SQLite's own threshold, in WAL pages, used again if the thread fails. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * Moves WAL checkpoints off the connection that commits. A checkpoint copies the log into the
 * database file and waits for the disk twice; run at commit, as SQLite does by default, it stalls
 * every request meanwhile. Should the thread fail, commits checkpoint again as before.
 */
export function checkpointInBackground(sqlite: SqliteDatabase.Database, file: string, intervalMs = 200): { stop(): Promise<void> } {
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  const fallBack = () => {
    if (!stopping && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  return {
    async stop() {
      stopping = true;
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
