/** Sent as X-API-Version on every response. */
export const API_VERSION = '2026-04-01';
