import type { GenerationRequest } from '../contract/index.js';

/** USD → integer micro-dollars; money is never a float past this point. */
export const usd = (dollars: number): number => Math.round(dollars * 1_000_000);
export const formatUsd = (micros: number): string => `$${(micros / 1_000_000).toFixed(4)}`;

/** Spec §11, in micro-dollars: the one price table. */
export const PRICES = {
  'uni-1': { text: usd(0.0404), edit: usd(0.0434), perExtraRef: usd(0.003) },
  'uni-1-max': { text: usd(0.1), edit: usd(0.103), perExtraRef: usd(0.003) },
} as const;

const sdr5s = { '360p': usd(0.075), '540p': usd(0.15), '720p': usd(0.3), '1080p': usd(1.2) };
const hdr5s = { '720p': usd(0.6), '1080p': usd(2.4) };
const hdrExr5s = { '720p': usd(0.9), '1080p': usd(3.6) };

/**
 * ray-3.2, spec §11 in micro-dollars. 360p is unpublished: half of 540p. 10 s is the table's 3×.
 * Reframe: per output second. Edits are unpublished: the 5 s SDR rate spread per second, and
 * HDR (or HDR+EXR) raises it by the same factor as in the 5 s table.
 */
export const VIDEO_PRICES = {
  sdr5s,
  hdr5s,
  hdrExr5s,
  tenSecondFactor: 3,
  reframePerSecond: { '360p': usd(0.03), '540p': usd(0.06), '720p': usd(0.12), '1080p': usd(0.36) },
  editPerSecond: {
    '360p': sdr5s['360p'] / 5,
    '540p': sdr5s['540p'] / 5,
    '720p': sdr5s['720p'] / 5,
    '1080p': sdr5s['1080p'] / 5,
  },
  editHdrFactor: hdr5s['720p'] / sdr5s['720p'],
  editHdrExrFactor: hdrExr5s['720p'] / sdr5s['720p'],
} as const;

type PricedRequest = Pick<GenerationRequest, 'model' | 'type' | 'image_ref' | 'video' | 'layering'>;

/** A ray-3.2 request; edits and reframes bill whole seconds of the source (output = source length). */
function videoPrice(request: PricedRequest, sourceSeconds: number): number {
  const v = request.video;
  if (!v) throw new Error(`no video options for a ${request.type} request`);
  const seconds = Math.max(1, Math.ceil(sourceSeconds - 1e-6));
  if (request.type === 'video_reframe') return VIDEO_PRICES.reframePerSecond[v.resolution] * seconds;
  if (request.type === 'video_edit') {
    const factor = v.exr_export ? VIDEO_PRICES.editHdrExrFactor : v.hdr ? VIDEO_PRICES.editHdrFactor : 1;
    return VIDEO_PRICES.editPerSecond[v.resolution] * factor * seconds;
  }
  const hdrRes = v.resolution === '1080p' ? '1080p' : '720p';
  const fiveSeconds = v.exr_export ? VIDEO_PRICES.hdrExr5s[hdrRes] : v.hdr ? VIDEO_PRICES.hdr5s[hdrRes] : VIDEO_PRICES.sdr5s[v.resolution];
  return v.duration === '10s' ? fiveSeconds * VIDEO_PRICES.tenSecondFactor : fiveSeconds;
}

/**
 * Layering is unpriced in the spec (§15.11), so these are Atelier's own, documented in
 * docs/compatibility.md: 1k costs one uni-1 image edit; 2k is "priced per layer", one image
 * edit for each of the two layers this server makes.
 */
export const LAYERING_PRICES = { '1k': PRICES['uni-1'].edit, '2k': PRICES['uni-1'].edit * 2 } as const;

/**
 * The price of a request, fixed at submit. With any image input the edit rate applies,
 * plus $0.003 for every input beyond the first; an edit's source counts as one input.
 * Video edits and reframes need the source's length (`sourceSeconds`).
 */
export function priceOf(request: PricedRequest, sourceSeconds = 5): number {
  if (request.type === 'layering') return LAYERING_PRICES[request.layering?.resolution ?? '1k'];
  if (request.model === 'ray-3.2') return videoPrice(request, sourceSeconds);
  const table = PRICES[request.model as keyof typeof PRICES];
  if (!table) throw new Error(`no price for model ${request.model}`);
  const inputs = request.image_ref.length + (request.type === 'image_edit' ? 1 : 0);
  if (inputs === 0) return table.text;
  return table.edit + table.perExtraRef * (inputs - 1);
}
