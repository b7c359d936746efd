import type { Static } from '@sinclair/typebox';
import type { CreateFileResponse as CreateFileResponseSchema, FileList as FileListSchema } from '../contract/file-schemas.js';

export type { FileCreate, FileObject } from '../contract/file-schemas.js';
export type { Generation, GenerationCreate } from '../contract/schemas.js';
export type CreateFileResponse = Static<typeof CreateFileResponseSchema>;
export type FileList = Static<typeof FileListSchema>;
