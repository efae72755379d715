/**
 * Pagination cursors: the position of the last item returned (created-at ms and id), opaque to
 * clients. Newest-first order is (createdAt desc, id desc), so the cursor names a strict bound.
 */
export interface CursorPosition {
  at: number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.at}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf('|');
  if (sep <= 0) return null;
  const at = Number(text.slice(0, sep));
  const id = text.slice(sep + 1);
  if (!Number.isSafeInteger(at) || at < 0 || id.length === 0 || id.length > 64) return null;
  return { at, id };
}

/**
 * Turns rows fetched newest-first with `limit + 1` into a page: the extra row only says that more
 * exist, and the cursor names the last row returned.
 */
export function toPage<T extends { createdAt: Date; id: string }>(fetched: T[], limit: number): { items: T[]; nextCursor: string | null } {
  return toPageBy(fetched, limit, (item) => item.createdAt);
}

/** toPage for items ordered by another instant (snapshots: receivedAt). */
export function toPageBy<T extends { id: string }>(fetched: T[], limit: number, at: (item: T) => Date): { items: T[]; nextCursor: string | null } {
  const items = fetched.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: fetched.length > limit && last ? encodeCursor({ at: at(last).getTime(), id: last.id }) : null,
  };
}
