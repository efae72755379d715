import crypto from 'node:crypto';

/**
 * Where the next page of a replay's timeline starts. A replay is deterministic, so the next page is
 * the same replay run again: the cursor pins its end time (new snapshots must not shift the pages)
 * and a digest of the request, so it cannot be used with another one.
 */
export interface ReplayCursor {
  offset: number;
  to: string | null;
  request: string;
}

export function requestDigest(request: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(request ?? null)).digest('base64url').slice(0, 16);
}

export function encodeReplayCursor(cursor: ReplayCursor): string {
  return Buffer.from(JSON.stringify([cursor.offset, cursor.to, cursor.request]), 'utf8').toString('base64url');
}

export function decodeReplayCursor(text: string): ReplayCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [offset, to, request] = value as [unknown, unknown, unknown];
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) return null;
    if (to !== null && (typeof to !== 'string' || Number.isNaN(Date.parse(to)))) return null;
    if (typeof request !== 'string') return null;
    return { offset: offset as number, to: to as string | null, request };
  } catch {
    return null;
  }
}
