/** What the reference servers answer: a Generation as a poll returns it. */
export const fixedGeneration = {
  id: 'd290f1ee-6c54-4b01-90e6-d701748f0851',
  type: 'image',
  state: 'queued',
  model: 'uni-1',
  created_at: '2026-04-08T12:00:00Z',
  output: [],
  failure_reason: null,
  failure_code: null,
};
