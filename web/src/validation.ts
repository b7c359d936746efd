import { validate } from 'virtual:generation-validator';
import { ApiError as ContractError } from '../../src/contract/errors.js';
import { normalizeGeneration, specModelTypes, type ModelTypes } from '../../src/contract/rules.js';
import type { GenerationCreate } from '../../src/contract/schemas.js';
import { generationSchemaError, type SchemaIssue } from '../../src/contract/validation.js';

/**
 * The server's own checks of a generation body, run in the page: the compiled schema, then the
 * per-type rules, with the types each served model takes. Returns the exact `detail` the server would answer, or null when it would accept
 * the body (rules that need the inputs' bytes, such as a video's length, are left to the server).
 */
export function generationProblem(body: GenerationCreate, typesOf: ModelTypes = specModelTypes): string | null {
  // The model is checked against what this server serves (GET /v1/models), which the compiled schema can't know.
  const { model: _model, ...rest } = body;
  if (!validate(rest)) return generationSchemaError((validate.errors ?? []) as SchemaIssue[], rest).detail;
  try {
    normalizeGeneration(structuredClone(body), typesOf);
    return null;
  } catch (err) {
    if (err instanceof ContractError) return err.detail;
    throw err;
  }
}
