import type { GenerationRequest } from '../contract/index.js';

/** USD → integer micro-dollars; money is never a float past this point. */
export const usd = (dollars: number): number => Math.round(dollars * 1_000_000);
export const formatUsd = (micros: number): string => `$${(micros / 1_000_000).toFixed(4)}`;

/** Spec §11, in micro-dollars: the one price table. */
export const PRICES = {
  'uni-1': { text: usd(0.0404), edit: usd(0.0434), perExtraRef: usd(0.003) },
  'uni-1-max': { text: usd(0.1), edit: usd(0.103), perExtraRef: usd(0.003) },
} as const;

/**
 * Layering is unpriced in the spec (§15.11), so these are Atelier's own, documented in
 * docs/compatibility.md: 1k costs one uni-1 image edit; 2k is "priced per layer", one image
 * edit for each of the two layers this server makes.
 */
export const LAYERING_PRICES = { '1k': usd(0.0434), '2k': usd(0.0434) * 2 } as const;

/**
 * The price of a request, fixed at submit. With any image input the edit rate applies,
 * plus $0.003 for every input beyond the first; an edit's source counts as one input.
 */
export function priceOf(request: Pick<GenerationRequest, 'model' | 'type' | 'image_ref' | 'layering'>): number {
  if (request.type === 'layering') return LAYERING_PRICES[request.layering?.resolution ?? '1k'];
  const table = PRICES[request.model as keyof typeof PRICES];
  if (!table) throw new Error(`no price for model ${request.model}`);
  const inputs = request.image_ref.length + (request.type === 'image_edit' ? 1 : 0);
  if (inputs === 0) return table.text;
  return table.edit + table.perExtraRef * (inputs - 1);
}
