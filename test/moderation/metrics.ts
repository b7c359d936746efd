import type { TestServer } from '../helpers/server.js';

/** The value of atelier_moderation_decisions_total for one stage and decision (0 when absent). */
export async function moderationCount(ts: TestServer, stage: string, decision: 'allowed' | 'flagged'): Promise<number> {
  const text = await (await ts.call('GET', '/metrics', { key: null })).text();
  const line = text.split('\n').find((l) => l.startsWith(`atelier_moderation_decisions_total{stage="${stage}",decision="${decision}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
