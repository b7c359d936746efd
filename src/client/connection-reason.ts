const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing is listening there',
  ENOTFOUND: 'the host name did not resolve (DNS)',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

/** Why fetch failed (`TypeError: fetch failed` hides it in `cause`), in words. */
export function connectionReason(error: unknown): string {
  let inner = (error as { cause?: unknown })?.cause ?? error;
  if (inner instanceof AggregateError && inner.errors.length) inner = inner.errors[0];
  const code = (inner as { code?: string })?.code ?? '';
  return REASONS[code] ?? ((inner as Error)?.message || String(inner));
}
