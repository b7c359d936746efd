/** How long simulated generations take: at once, like Luma's documented times, or a fixed time. */
export type LatencyProfile = { kind: 'instant' } | { kind: 'realistic' } | { kind: 'fixed'; ms: number };

export function parseLatencyProfile(text: string): LatencyProfile | null {
  if (text === 'instant' || text === 'realistic') return { kind: text };
  const match = /^fixed:(\d{1,8})$/.exec(text);
  return match ? { kind: 'fixed', ms: Number(match[1]) } : null;
}

/** The profile as `--latency` spells it. */
export const latencyName = (latency: LatencyProfile) => (latency.kind === 'fixed' ? `fixed:${latency.ms}` : latency.kind);
