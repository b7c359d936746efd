import fs from 'node:fs/promises';
import type { ImageRef } from '../../contract/index.js';
import type { StoredRequest } from '../../generations/records.js';
import { sniffVideo, VIDEO_MEDIA_TYPES } from '../../media/sniff-video.js';
import { isVideoInput, type EngineInput } from '../engine.js';
import type { RemoteContext } from '../remote/remote-engine.js';

const IMAGE_MEDIA_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const;

type Role = EngineInput['role'];
type WireRef = { data: string; media_type: string } | { generation_id: string };

/** The described ref of the request that an input fills (for its `generation_id`). */
function refOf(request: StoredRequest, role: Role, index: number): ImageRef | null | undefined {
  const video = request.video;
  switch (role) {
    case 'source':
      return request.source;
    case 'image_ref':
      return request.image_ref[index];
    case 'start_frame':
      return video?.start_frame;
    case 'end_frame':
      return video?.end_frame;
    case 'keyframe':
      return video?.keyframes[index];
    case 'edit_keyframe':
      return video?.edit?.keyframes[index];
  }
}

/**
 * One input as upstream accepts it: a prior generation this same engine served goes by the
 * upstream's own id (so an extend stays an extend); everything else (inline data, URLs we
 * fetched, file_ids, generations served elsewhere) goes inline from the checked bytes.
 */
async function wireRef(request: StoredRequest, input: EngineInput, ctx: RemoteContext): Promise<WireRef> {
  const chained = refOf(request, input.role, input.index)?.generation_id;
  if (chained) {
    const upstream = await ctx.upstreamOf(chained);
    if (upstream) return { generation_id: upstream.id };
  }
  if (isVideoInput(input)) {
    const bytes = await fs.readFile(input.file);
    const container = sniffVideo(bytes.subarray(0, 16)) ?? 'mp4';
    return { data: bytes.toString('base64'), media_type: VIDEO_MEDIA_TYPES[container] };
  }
  return { data: input.bytes.toString('base64'), media_type: IMAGE_MEDIA_TYPES[input.format] };
}

/** Our stored request as a Luma `POST /v1/generations` body: every field, nothing left at a value upstream would refuse. */
export async function lumaBody(request: StoredRequest, inputs: EngineInput[], model: string, ctx: RemoteContext): Promise<Record<string, unknown>> {
  const refs = new Map<string, WireRef>();
  for (const input of inputs) refs.set(`${input.role}:${input.index}`, await wireRef(request, input, ctx));
  const ref = (role: Role, index = 0) => refs.get(`${role}:${index}`);
  const list = (role: Role, count: number) => Array.from({ length: count }, (_, i) => ref(role, i)).filter(Boolean);

  const body: Record<string, unknown> = { prompt: request.prompt, model, type: request.type };
  if (request.aspect_ratio) body.aspect_ratio = request.aspect_ratio;
  if (request.user_id) body.user_id = request.user_id;
  if (request.web_search) body.web_search = true;
  if (request.source) body.source = ref('source');
  if (request.image_ref.length) body.image_ref = list('image_ref', request.image_ref.length);
  if (!request.video) {
    body.style = request.style;
    if (request.output_format) body.output_format = request.output_format;
    if (request.layering) body.layering = request.layering;
    return body;
  }
  const v = request.video;
  const video: Record<string, unknown> = { resolution: v.resolution };
  // Edits and reframes follow the source's length: upstream takes no duration for them.
  if (request.type === 'video') video.duration = v.duration;
  for (const flag of ['loop', 'hdr', 'exr_export'] as const) if (v[flag]) video[flag] = true;
  if (v.start_frame) video.start_frame = ref('start_frame');
  if (v.end_frame) video.end_frame = ref('end_frame');
  if (v.keyframes.length) {
    video.keyframes = list('keyframe', v.keyframes.length);
    video.keyframe_indexes = v.keyframe_indexes;
  }
  if (v.source_position) video.source_position = v.source_position;
  if (v.edit) {
    const edit: Record<string, unknown> = { auto_controls: v.edit.auto_controls };
    if (v.edit.strength) edit.strength = v.edit.strength;
    if (v.edit.controls) edit.controls = v.edit.controls;
    if (v.edit.keyframes.length) {
      edit.keyframes = list('edit_keyframe', v.edit.keyframes.length);
      edit.keyframe_indexes = v.edit.keyframe_indexes;
    }
    video.edit = edit;
  }
  body.video = video;
  return body;
}
