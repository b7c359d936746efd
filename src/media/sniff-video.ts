export type VideoContainer = 'mp4' | 'mov' | 'webm';

export const VIDEO_MEDIA_TYPES: Record<VideoContainer, string> = { mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' };

/** The container named by the first bytes: an ISO BMFF `ftyp` box (QuickTime brand `qt  `) or EBML. */
export function sniffVideo(head: Buffer): VideoContainer | null {
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') return head.toString('latin1', 8, 12) === 'qt  ' ? 'mov' : 'mp4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  return null;
}

/** Whether the first bytes start a container ffmpeg is expected to read as a source: those above (and Matroska), AVI or MPEG-TS. */
export function looksLikeVideo(head: Buffer): boolean {
  if (sniffVideo(head)) return true;
  return (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'AVI ') || head[0] === 0x47; // MPEG-TS sync byte
}
