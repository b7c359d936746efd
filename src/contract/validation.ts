import { apiError, type ApiError } from './errors.js';
import { aspectRatioError } from './rules.js';

/** The subset of an Ajv error that the mapping reads. */
export interface SchemaIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/** `/image_ref/0/url` → `image_ref[0].url` */
export function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function reason(issue: SchemaIssue): string {
  const p = issue.params;
  switch (issue.keyword) {
    case 'type':
      return `must be ${article(String(p.type))}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minLength':
      return `must be at least ${p.limit} characters`;
    case 'maxItems':
      return `must have at most ${p.limit} items`;
    case 'format':
      return p.format === 'uuid' ? 'must be a UUID' : `must be a valid ${p.format}`;
    case 'required':
      return `'${p.missingProperty}' is required`;
    default:
      return issue.message ?? 'is invalid';
  }
}

/** Maps the first schema issue of a generation body to the spec's status and detail. */
export function generationSchemaError(issues: SchemaIssue[], body: unknown): ApiError {
  const issue = issues[0];
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const path = fieldPath(issue.instancePath);
  const value = raw[path];

  if (path === '' && issue.keyword === 'required' && issue.params.missingProperty === 'prompt') {
    return apiError('PROMPT_LENGTH');
  }
  if (path === '' && issue.keyword === 'type') return apiError('BODY_NOT_OBJECT');
  if (path === 'prompt' && (issue.keyword === 'minLength' || issue.keyword === 'maxLength')) {
    return apiError('PROMPT_LENGTH');
  }
  if (path === 'model' && typeof value === 'string') return apiError('MODEL_UNKNOWN', { model: value });
  if (path === 'type' && typeof value === 'string') {
    return apiError('TYPE_UNSUPPORTED', { type: value, model: typeof raw.model === 'string' ? raw.model : 'uni-1' });
  }
  if (path === 'aspect_ratio' && typeof value === 'string') return aspectRatioError(value, raw.type);
  if (path === 'layering.resolution') {
    const resolution = (raw.layering as Record<string, unknown>).resolution;
    if (typeof resolution === 'string') return apiError('LAYERING_RESOLUTION_INVALID', { value: resolution });
  }
  if (path === 'image_ref' && issue.keyword === 'maxItems') {
    return apiError(raw.type === 'image_edit' ? 'IMAGE_EDIT_TOO_MANY_REFS' : 'IMAGE_TOO_MANY_REFS');
  }
  return apiError('FIELD_INVALID', { path: path || 'body', reason: reason(issue) });
}

/** Maps the first schema issue of any other body to FIELD_INVALID with a readable reason. */
export function fieldSchemaError(issues: SchemaIssue[]): ApiError {
  const issue = issues[0];
  return apiError('FIELD_INVALID', { path: fieldPath(issue.instancePath) || 'body', reason: reason(issue) });
}
