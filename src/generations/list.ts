import { apiError, DEFAULT_GENERATION_PAGE, type GenerationListQuery } from '../contract/index.js';
import { generations, type Store } from '../store/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor is the last id of a page, opaque to clients. */
const encodeCursor = (id: string) => Buffer.from(id, 'latin1').toString('base64url');

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('latin1');
  if (!UUID.test(id)) throw apiError('FILE_CURSOR_INVALID');
  return id;
}

/** Extension: one page of a client's generations (every client's with null), newest first, with the filters of GET /v1/generations. */
export async function listGenerations(store: Store, clientId: string | null, query: GenerationListQuery) {
  const limit = query.limit ?? DEFAULT_GENERATION_PAGE;
  const rows = await generations.listGenerations(
    store.db,
    clientId,
    {
      state: query.state,
      type: query.type,
      model: query.model,
      userId: query.user_id,
      createdFrom: query.created_after === undefined ? undefined : Date.parse(query.created_after),
      createdTo: query.created_before === undefined ? undefined : Date.parse(query.created_before),
      before: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    },
    limit,
  );
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { rows: page, hasMore, nextCursor: hasMore ? encodeCursor(page[page.length - 1].id) : null };
}
