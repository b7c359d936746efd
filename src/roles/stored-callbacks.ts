import { engineCallbacks, type Store } from '../store/index.js';
import { callbackPath, callbackSignature, type EngineCallbacks } from '../engines/remote/callbacks.js';

/** The callbacks port over the store: signed URLs under the public URL, posts read back by engine and upstream id. */
export function storedCallbacks(store: Store, secret: Buffer, publicUrl: string): EngineCallbacks {
  return {
    url(engine, upstreamId, base = publicUrl) {
      if (!base) return undefined;
      return `${base.replace(/\/+$/, '')}${callbackPath(engine, upstreamId)}?signature=${callbackSignature(secret, engine, upstreamId)}`;
    },
    async latest(engine, upstreamId) {
      const row = await engineCallbacks.getCallback(store.db, engine, upstreamId);
      return row && { payload: JSON.parse(row.payload) as unknown, terminal: row.terminal === 1 };
    },
  };
}
