import type { MigrationReport } from './migrate.js';
import { describeProcess } from './source.js';

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** The summary `atelier migrate` prints: a row per table, then ledger, blobs, secret, in-flight work and the verdict. */
export function renderReport(report: MigrationReport): string {
  const header = ['TABLE', 'SOURCE', 'TARGET', 'COPIED', 'ALREADY THERE', ''];
  const rows = report.tables.map((t) =>
    t.copy
      ? [t.table, String(t.source), String(t.target), String(t.copied), String(t.present), t.source === t.target ? '' : 'MISMATCH']
      : [t.table, '-', '-', '-', '-', `not copied: ${t.why}`],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();

  const copied = report.tables.reduce((n, t) => n + t.copied, 0);
  const present = report.tables.reduce((n, t) => n + t.present, 0);
  const { blobs } = report;
  const out = [`${report.from} (SQLite) → ${report.to} (schema ${report.schema})`, '', line(header), ...rows.map(line), ''];
  out.push(
    report.ledger.clients === 0
      ? 'Ledger: no entries (every client is unlimited).'
      : report.ledger.mismatches.length === 0
      ? `Ledger: sums equal for all ${report.ledger.clients} clients.`
      : `Ledger: sums DIFFER for ${report.ledger.mismatches.length} of ${report.ledger.clients} clients (${report.ledger.mismatches.slice(0, 5).join(', ')}).`,
  );
  if (blobs.into) {
    out.push(`Blobs: ${blobs.total} (${megabytes(blobs.bytes)}) into ${blobs.into}: ${blobs.copied} copied, ${blobs.present} already there${blobs.missing.length ? `, ${blobs.missing.length} MISSING (${blobs.missing.slice(0, 3).join(', ')})` : ''}.`);
  } else {
    out.push(`Blobs: ${blobs.total} (${megabytes(blobs.bytes)}) stay in ${blobs.dir}: run the Postgres processes with --data-dir ${report.from} (or a copy of it), or copy them into a bucket with --blobs s3.`);
  }
  out.push(
    report.secretCarried
      ? 'URL secret: the data dir\'s, now stored in the target: URLs minted before the move keep verifying (unless ATELIER_SECRET overrides it).'
      : 'URL secret: the data dir has none (the source ran with ATELIER_SECRET): start the target with the same ATELIER_SECRET.',
  );
  const { queued, processing } = report.inFlight;
  if (queued + processing > 0) out.push(`In flight: ${queued} queued and ${processing} processing generations carried with their jobs: the target's workers run them (a processing one once its lease lapses).`);
  for (const p of report.crashed) out.push(`Note: ${describeProcess(p)} ended without draining (last seen ${new Date(p.last_seen_at).toISOString()}).`);
  out.push('');
  if (!report.verified) out.push('NOT VERIFIED: the two sides differ (see above).');
  else if (copied === 0 && blobs.copied === 0) out.push(`Nothing to change: the target already holds all ${present} rows${blobs.into ? ` and ${blobs.present} blobs` : ''}. Verified: row counts and ledger sums equal.`);
  else out.push(`Copied ${copied} rows${blobs.into ? ` and ${blobs.copied} blobs` : ''} (${present} rows were there already). Verified: row counts per table and ledger sums per client equal on both sides.`);
  return `${out.join('\n')}\n`;
}
