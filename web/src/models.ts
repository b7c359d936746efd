import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import { MODEL_TYPES } from '../../src/contract/rules.js';
import { MODELS, type GenerationKind } from '../../src/contract/schemas.js';

export interface ServedModel {
  id: string;
  types: readonly GenerationKind[];
}

/** The spec's models, for a server without GET /v1/models (--strict). */
const SPEC_MODELS: ServedModel[] = MODELS.map((id) => ({ id, types: MODEL_TYPES[id] }));
let served: Promise<ServedModel[]> | null = null;

/** The models this server serves and the types of each (GET /v1/models, an extension), read once. */
export function useModels(): ServedModel[] {
  const [models, setModels] = useState<ServedModel[]>(SPEC_MODELS);
  useEffect(() => {
    served ??= call<{ data: ServedModel[] }>('/v1/models').then(
      (r) => (r.data.length > 0 ? r.data : SPEC_MODELS),
      () => SPEC_MODELS,
    );
    void served.then(setModels);
  }, []);
  return models;
}
