import autocannon from 'autocannon';

export interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  seconds?: number;
}

/** Requests per second under fixed concurrency, counting only 2xx answers. */
export async function throughput(load: Load): Promise<number> {
  const result = await autocannon({
    url: load.url,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: load.connections ?? 32,
    duration: load.seconds ?? 5,
  });
  if (result.non2xx > 0 && result['2xx'] === 0) throw new Error(`every request failed (${result.non2xx} non-2xx)`);
  return result['2xx'] / (load.seconds ?? 5);
}

/** How long each of `runs` calls of `fn` took, in ms, one after another. */
export async function timings(runs: number, fn: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times;
}

/** The median time of `runs` calls of `fn`, in ms. */
export const medianMs = async (runs: number, fn: () => unknown): Promise<number> => percentile(await timings(runs, fn), 50);

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function report(name: string, value: string, ratio: string, target: string): void {
  process.stdout.write(`${name.padEnd(44)} ${value.padStart(14)}  ${ratio.padStart(8)}  target ${target}\n`);
}

/**
 * Throughput of each load over interleaved rounds, after a one-second warm-up of each (so the JIT has
 * compiled every server's hot path). Each ratio is against the baseline of its own round: a noisy
 * neighbour slows a round's loads alike, and the median drops the rounds it hit unevenly.
 */
export async function interleavedRates<K extends string>(loads: Record<K, Load>, rounds: number, seconds: number) {
  for (const load of Object.values<Load>(loads)) await throughput({ ...load, seconds: 1 });
  const rates = Object.fromEntries(Object.keys(loads).map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(loads) as K[]) rates[name].push(await throughput({ ...loads[name], seconds }));
  }
  const median = (name: K) => percentile(rates[name], 50);
  return {
    median,
    rate: (name: K) => `${median(name).toFixed(0)} req/s`,
    ratio: (name: K, baseline: K) => percentile(rates[name].map((rate, round) => rate / rates[baseline][round]), 50).toFixed(2) + '×',
  };
}
