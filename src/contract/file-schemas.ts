import { Type, type Static } from '@sinclair/typebox';

export const FILE_PURPOSES = ['input', 'reference'] as const;
export const FILE_STATES = ['pending', 'ready', 'failed', 'deleted'] as const;

const literals = <T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
const nullable = <T>(type: string, options: object = {}) => Type.Unsafe<T | null>({ type: [type, 'null'], ...options });

export const FilePurpose = literals(FILE_PURPOSES, { description: 'input = primary subject (e.g. an edit source); reference = guidance' });
export const FileState = literals(FILE_STATES);

/** Spec §6.6. */
export const FileObject = Type.Object({
  id: Type.String({ format: 'uuid' }),
  created_at: Type.String({ format: 'date-time' }),
  mime_type: Type.String(),
  purpose: FilePurpose,
  size_bytes: Type.Integer(),
  state: FileState,
  deleted_at: nullable<string>('string', { format: 'date-time' }),
  expires_at: nullable<string>('string', { format: 'date-time' }),
  failure_reason: nullable<string>('string'),
  filename: nullable<string>('string'),
  user_id: nullable<string>('string'),
});
export type FileObject = Static<typeof FileObject>;

/** JSON mode of POST /v1/files (spec §6.1): a presigned upload is returned. */
export const FileCreate = Type.Object({
  mime_type: Type.String({ minLength: 1, maxLength: 255 }),
  size_bytes: Type.Integer({ minimum: 1, maximum: 5 * 1024 ** 3 }),
  expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  filename: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
  purpose: Type.Optional(Type.Union([FilePurpose, Type.Null()])),
  user_id: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
});
export type FileCreate = Static<typeof FileCreate>;

export const FileUpload = Type.Object({
  url: Type.String({ format: 'uri' }),
  method: Type.Literal('PUT'),
  headers: Type.Record(Type.String(), Type.String()),
  expires_at: Type.String({ format: 'date-time' }),
});

export const CreateFileResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: FileState,
  file: FileObject,
  upload: Type.Union([FileUpload, Type.Null()]),
});

export const FileList = Type.Object({
  data: Type.Array(FileObject),
  has_more: Type.Boolean(),
  next_cursor: nullable<string>('string'),
});

/** The page size of GET /v1/files when `limit` is not given. */
export const DEFAULT_FILE_PAGE = 25;

/** Spec §6.4. */
export const FileListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_FILE_PAGE })),
  purpose: Type.Optional(FilePurpose),
  state: Type.Optional(FileState),
});
export type FileListQuery = Static<typeof FileListQuery>;
