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
