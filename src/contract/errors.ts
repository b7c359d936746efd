/**
 * Every API error: a stable code, an HTTP status and the exact `detail` template.
 * `{name}` placeholders are filled by `apiError`. docs/compatibility.md lists each entry
 * (a test pins that).
 */
export const ERRORS = {
  MODEL_UNKNOWN: { status: 400, detail: 'Unknown model: {model}' },
  TYPE_UNSUPPORTED: { status: 400, detail: "Type '{type}' is not supported for model '{model}'" },
  ASPECT_RATIO_INVALID: { status: 400, detail: "Invalid aspect_ratio '{value}'. Valid: {valid}" },
  PROMPT_LENGTH: { status: 400, detail: 'Prompt must be between 1 and 6000 characters' },
  LAYERING_PROMPT_LENGTH: { status: 400, detail: "Prompt must be at most 500 characters for type 'layering'" },
  LAYERING_RESOLUTION_INVALID: { status: 400, detail: "Invalid layering.resolution '{value}'. Valid: 1k, 2k" },
  REF_BOTH: { status: 400, detail: "{path}: provide either 'url' or 'data', not both" },
  REF_NEITHER: { status: 400, detail: "{path}: provide either 'url' or 'data', not neither" },
  REF_EXACTLY_ONE: { status: 400, detail: "{path}: provide exactly one of 'url', 'data', 'generation_id' or 'file_id'" },
  REF_MEDIA_TYPE_REQUIRED: { status: 400, detail: "{path}: 'media_type' is required with 'data'" },
  REF_MEDIA_TYPE_NOT_IMAGE: { status: 400, detail: "{path}: media_type '{media_type}' is not an image type" },
  IMAGE_TOO_MANY_REFS: { status: 400, detail: 'image supports up to 9 reference images' },
  IMAGE_EDIT_TOO_MANY_REFS: { status: 400, detail: 'image_edit supports up to 8 reference images (source occupies one slot)' },
  SOURCE_ONLY_EDIT: { status: 400, detail: "source is only valid for type 'image_edit'" },
  SOURCE_REQUIRED: { status: 400, detail: "source is required for type '{type}'" },
  OPTION_NOT_ALLOWED: { status: 400, detail: "{field} is not valid for type '{type}'" },
  MANGA_NEEDS_PORTRAIT: {
    status: 422,
    detail: "style 'manga' requires a portrait aspect_ratio (2:3, 9:16, 1:2, 1:3), got '{value}'",
  },
  FIELD_INVALID: { status: 400, detail: '{path}: {reason}' },
  REF_MEDIA_TYPE_NOT_VIDEO: { status: 400, detail: "{path}: media_type '{media_type}' is not a video type" },
  REF_VIDEO_URL_MEDIA_TYPE: { status: 400, detail: "{path}: 'media_type' (a video/* type) is required with a video 'url'" },
  VIDEO_REFRAME_ASPECT_REQUIRED: { status: 400, detail: "aspect_ratio is required for type 'video_reframe'" },
  VIDEO_SOURCE_POSITION_RANGE: { status: 400, detail: 'video.source_position.{field} must be {range}, got {value}' },
  VIDEO_GUIDE_FRAME_UNSUPPORTED: { status: 422, detail: 'video.guide_frame is not supported by this server' },
  VIDEO_10S_WITH_FRAMES: { status: 422, detail: "duration '10s' is not available with video.start_frame or video.end_frame" },
  VIDEO_LOOP_10S: { status: 422, detail: "video.loop is not available with duration '10s'" },
  VIDEO_LOOP_HDR: { status: 422, detail: 'video.loop is not available with video.hdr' },
  VIDEO_LOOP_END_FRAME: { status: 422, detail: 'video.loop is not available with video.end_frame' },
  VIDEO_KEYFRAMES_EXCLUSIVE: { status: 422, detail: 'video.keyframes cannot be combined with video.{field}' },
  VIDEO_HDR_RESOLUTION: { status: 422, detail: "video.hdr requires resolution 720p or 1080p, got '{resolution}'" },
  VIDEO_HDR_10S: { status: 422, detail: "video.hdr with duration '10s' is only available with video.keyframes" },
  VIDEO_EXR_NEEDS_HDR: { status: 422, detail: 'video.exr_export requires video.hdr' },
  VIDEO_KEYFRAMES_UNPAIRED: { status: 422, detail: '{path}.keyframes and {path}.keyframe_indexes must be given together' },
  VIDEO_KEYFRAMES_LENGTH: {
    status: 422,
    detail: '{path}.keyframe_indexes must have one index per keyframe ({keyframes} keyframes, {indexes} indexes)',
  },
  VIDEO_KEYFRAME_INDEX_NEGATIVE: { status: 422, detail: '{path}.keyframe_indexes[{i}]: {index} is negative' },
  VIDEO_KEYFRAME_INDEX_DUPLICATE: { status: 422, detail: '{path}.keyframe_indexes[{i}]: {index} appears more than once' },
  VIDEO_KEYFRAME_INDEX_GRID: {
    status: 422,
    detail: "{path}.keyframe_indexes[{i}]: {index} is outside the 24 fps grid of a {duration} video (0..{max})",
  },
  VIDEO_EDIT_KEYFRAME_INDEX_RANGE: {
    status: 422,
    detail: "video.edit.keyframe_indexes[{i}]: {index} is past the source's last frame ({max})",
  },
  VIDEO_EXTEND_SDR_ONLY: { status: 422, detail: 'Extending a generation ({path}.generation_id) is SDR only: video.hdr and video.exr_export must be off' },
  VIDEO_EXTEND_ONE_ANCHOR: { status: 422, detail: 'Interpolation from a prior generation plus another keyframe is not available yet' },
  VIDEO_EDIT_GUIDE_EXCLUSIVE: { status: 422, detail: 'video.start_frame cannot be combined with video.edit.keyframes' },
  VIDEO_EDIT_AUTO_EXCLUSIVE: { status: 422, detail: 'video.edit.auto_controls cannot be combined with video.edit.{field}' },
  VIDEO_REFRAME_SAME_ASPECT: {
    status: 422,
    detail: "aspect_ratio '{value}' matches the source's aspect ratio; video_reframe needs a different one",
  },
  VIDEO_REFRAME_1080P_VERTICAL: {
    status: 422,
    detail: "resolution '1080p' for video_reframe is not available for vertical aspect ratios (9:16, 3:4) yet",
  },
  VIDEO_SOURCE_TOO_LONG: { status: 422, detail: '{path}: the video is {seconds} s long; {type} accepts up to {limit} s' },
  BODY_NOT_OBJECT: { status: 400, detail: 'Request body must be a JSON object' },
  BODY_INVALID_JSON: { status: 400, detail: 'Request body is not valid JSON' },
  BODY_MEDIA_TYPE: { status: 415, detail: "Unsupported Content-Type '{type}'. Use application/json" },
  BODY_TOO_LARGE: { status: 413, detail: 'Request body exceeds the {limit} byte limit' },

  REF_INVALID_BASE64: { status: 422, detail: '{path}: invalid base64 data' },
  REF_IMAGE_TOO_LARGE: { status: 413, detail: '{path}: image exceeds 50 MB limit' },
  REF_FETCH_FAILED: { status: 422, detail: '{path}: failed to fetch URL' },
  REF_FETCH_HTTP: { status: 422, detail: '{path}: failed to fetch URL (HTTP {status})' },
  REF_NOT_IMAGE: { status: 422, detail: '{path}: content-type is not an image' },
  REF_URL_INVALID: { status: 422, detail: '{path}: url must be an absolute http(s) URL' },
  REF_GENERATION_NOT_FOUND: { status: 422, detail: '{path}: generation {id} not found' },
  REF_GENERATION_NOT_COMPLETED: { status: 422, detail: '{path}: generation {id} is {state}, not completed' },
  REF_GENERATION_NOT_IMAGE: { status: 422, detail: '{path}: generation {id} has no image output' },
  REF_GENERATION_NOT_VIDEO: { status: 422, detail: '{path}: generation {id} has no video output' },
  REF_FILE_NOT_FOUND: { status: 422, detail: '{path}: file {id} not found' },
  REF_MEDIA_TYPE_MISMATCH: { status: 422, detail: "{path}: media_type '{media_type}' does not match the data, which is {format}" },
  REF_URL_NOT_HTTPS: { status: 422, detail: '{path}: url must use https' },
  REF_URL_NOT_PUBLIC: { status: 422, detail: "{path}: url host '{host}' is not a public address ({range})" },
  REF_FETCH_DOWNGRADE: { status: 422, detail: '{path}: failed to fetch URL (redirect from https to http)' },
  REF_FETCH_TOO_MANY_REDIRECTS: { status: 422, detail: '{path}: failed to fetch URL (more than {max} redirects)' },
  REF_FETCH_TIMEOUT: { status: 422, detail: '{path}: failed to fetch URL (timed out)' },
  REF_NOT_VIDEO: { status: 422, detail: '{path}: content-type is not a video' },
  REF_VIDEO_TOO_LARGE: { status: 413, detail: '{path}: video exceeds 200 MB limit' },
  URL_INGESTION_UNAVAILABLE: { status: 503, detail: 'Image URL ingestion unavailable' },
  VIDEO_PROBE_UNAVAILABLE: { status: 503, detail: '{path}: video probing unavailable, try again' },

  REF_FILE_NOT_READY: { status: 422, detail: '{path}: file {id} is {state}, not ready' },
  REF_FILE_DELETED: { status: 422, detail: '{path}: file {id} has been deleted' },
  REF_FILE_NOT_IMAGE: { status: 422, detail: '{path}: file {id} is not an image' },
  REF_FILE_NOT_VIDEO: { status: 422, detail: '{path}: file {id} is not a video' },

  FILE_NOT_FOUND: { status: 404, detail: 'File not found' },
  FILE_MIME_TYPE_UNSUPPORTED: { status: 422, detail: "mime_type '{mime_type}' is not supported: upload an image (JPEG, PNG, WebP, GIF) or a video (MP4, MOV, WebM)" },
  FILE_TOO_LARGE: { status: 413, detail: 'File exceeds the {limit} MB limit for {kind} files' },
  FILE_SIZE_MISMATCH: { status: 422, detail: 'Received {actual} bytes; the file was created with size_bytes {expected}' },
  FILE_NOT_UPLOADED: { status: 422, detail: 'File {id} has no bytes yet: PUT them to upload.url, then complete' },
  FILE_UPLOAD_CLOSED: { status: 409, detail: 'File {id} is {state} and takes no more uploads' },
  FILE_DELETED: { status: 422, detail: 'File {id} has been deleted' },
  FILE_BODY_MEDIA_TYPE: { status: 415, detail: "Unsupported Content-Type '{type}'. Use multipart/form-data or application/json" },
  FILE_PART_MISSING: { status: 400, detail: "A multipart upload needs a part named 'file'" },
  MULTIPART_INVALID: { status: 400, detail: 'Malformed multipart/form-data body: {reason}' },
  MULTIPART_LIMIT: { status: 413, detail: 'A multipart upload takes at most {limit}' },
  FILE_EXPIRES_PAST: { status: 400, detail: 'expires_at: must be in the future' },
  FILE_CURSOR_INVALID: { status: 400, detail: 'cursor: not a cursor from next_cursor' },
  UPLOAD_URL_INVALID: { status: 403, detail: 'Upload URL signature is invalid' },
  UPLOAD_URL_EXPIRED: { status: 403, detail: 'Upload URL has expired' },

  AUTH_MISSING: { status: 401, detail: 'Missing or invalid API key' },
  AUTH_INVALID: { status: 401, detail: 'Invalid API key' },
  AUTH_REVOKED: { status: 401, detail: 'API key has been revoked' },
  AUTH_EXPIRED: { status: 401, detail: 'API key has expired' },
  CLIENT_SUSPENDED: { status: 403, detail: 'API client is suspended' },
  CLIENT_DEACTIVATED: { status: 403, detail: 'API client is deactivated' },
  INSUFFICIENT_CREDITS: { status: 402, detail: 'Insufficient credits. Please add credits to continue.' },
  USER_BUDGET_EXCEEDED: {
    status: 402,
    detail: "User budget exceeded: user_id '{user_id}' has spent {spent} of its {period} budget of {limit}",
  },
  RATE_LIMITED: { status: 429, detail: 'Rate limit exceeded' },
  TOO_MANY_CONCURRENT: { status: 429, detail: 'Too many concurrent jobs' },
  CONNECTIONS_TOO_MANY: { status: 429, detail: 'Too many open connections from this address' },
  BODY_BYTES_IN_FLIGHT: { status: 429, detail: 'Too many request bytes in flight for this key: at most {limit} MB at once' },

  ADMIN_DISABLED: { status: 404, detail: 'The admin API is disabled: set ATELIER_ADMIN_TOKEN to enable it' },
  ADMIN_UNAUTHORIZED: { status: 401, detail: 'Missing or invalid admin token' },
  METRICS_UNAUTHORIZED: { status: 401, detail: 'Missing or invalid metrics token' },
  CLIENT_NOT_FOUND: { status: 404, detail: 'Client not found' },
  KEY_NOT_FOUND: { status: 404, detail: 'API key not found' },
  BALANCE_NEGATIVE: { status: 409, detail: 'A balance cannot go below zero' },
  GENERATION_NOT_FOUND: { status: 404, detail: 'Generation not found' },
  BLOB_NOT_FOUND: { status: 404, detail: 'Blob not found' },
  BLOB_URL_EXPIRED: { status: 403, detail: 'Signed URL has expired' },
  BLOB_URL_INVALID: { status: 403, detail: 'Signed URL signature is invalid' },
  THUMBNAIL_UNAVAILABLE: { status: 404, detail: 'No thumbnail can be made of this file' },
  CALLBACK_SIGNATURE_INVALID: { status: 403, detail: 'Engine callback signature is invalid' },
  ROUTE_NOT_FOUND: { status: 404, detail: 'Not Found' },
  ROUTE_WITHOUT_V1: { status: 404, detail: 'Not Found: the API is under /v1 (/v1{path}). Give the base URL with /v1, e.g. LUMA_BASE_URL=http://127.0.0.1:8080/v1' },
  METHOD_NOT_ALLOWED: { status: 405, detail: 'Method Not Allowed' },
  NOT_READY: { status: 503, detail: 'Server is not ready to take requests' },
  UPSTREAM_UNAVAILABLE: { status: 502, detail: 'Upstream service unavailable' },
  FAULT_INVALID: { status: 400, detail: "{field}: '{value}' is not a fault. Use {grammar}" },
  FAULT_GATEWAY: { status: 400, detail: '{field}: faults are an emulator feature and this server runs in gateway mode' },
  RESET_GATEWAY: { status: 409, detail: 'Reset is an emulator feature and this server runs in gateway mode' },
  LATENCY_GATEWAY: { status: 409, detail: 'Latency profiles are an emulator feature and this server runs in gateway mode' },
  CLOCK_NOT_VIRTUAL: { status: 409, detail: 'The clock is not virtual: start the server with --clock virtual to move it' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    detail: "Idempotency-Key '{key}' was already used with a different request body in the last 24 hours; use a new key for a new request",
  },
  IDEMPOTENCY_KEY_IN_FLIGHT: { status: 409, detail: "A request with Idempotency-Key '{key}' is still being processed; retry once it has finished" },
  GENERATION_NOT_CANCELLABLE: { status: 409, detail: 'Generation is already {state} and cannot be cancelled' },
  WEBHOOK_NOT_FOUND: { status: 404, detail: 'Webhook endpoint not found' },
  WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, detail: 'Webhook delivery not found' },
  INTERNAL: { status: 500, detail: 'Internal server error' },
} as const satisfies Record<string, { status: number; detail: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export function apiError(
  code: ErrorCode,
  params: Record<string, string | number> = {},
  headers: Record<string, string> = {},
): ApiError {
  const { status, detail } = ERRORS[code];
  const text = detail.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
  return new ApiError(code, status, text, headers);
}

/** The `failure_reason` used when nothing more specific is known. */
export const FAILURE_REASONS = {
  content_moderated: 'Generation output was flagged by our content moderation system.',
  generation_failed: 'Generation failed',
  budget_exhausted: 'Insufficient credits to complete this generation.',
  output_not_found: 'Output artifacts not found',
  image_too_large: 'An input image exceeds the size limit',
  unsupported_format: 'An input is in an unsupported format',
  corrupt_input: 'An input could not be decoded',
  invalid_request: 'The request was rejected during processing',
  rate_limited: 'The generation was rate limited during processing',
} as const;
