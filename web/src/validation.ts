import { validate } from 'virtual:generation-validator';
import { ApiError as ContractError } from '../../src/contract/errors.js';
import { normalizeGeneration } from '../../src/contract/rules.js';
import type { GenerationCreate } from '../../src/contract/schemas.js';
import { generationSchemaError, type SchemaIssue } from '../../src/contract/validation.js';

/**
 * The server's own checks of a generation body, run in the page: the compiled schema, then the
 * per-type rules. Returns the exact `detail` the server would answer, or null when it would accept
 * the body (rules that need the inputs' bytes, such as a video's length, are left to the server).
 */
export function generationProblem(body: GenerationCreate): string | null {
  if (!validate(body)) return generationSchemaError((validate.errors ?? []) as SchemaIssue[], body).detail;
  try {
    normalizeGeneration(body);
    return null;
  } catch (err) {
    if (err instanceof ContractError) return err.detail;
    throw err;
  }
}
