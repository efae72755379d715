import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 256 ids at a time: one call into the system's generator per 256 ids. */
const pool = Buffer.alloc(16 * 256);
let used = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Snapshot ids are
 * made thousands of times a second and are the key of the busiest table: ids that grow with time are
 * appended at the end of the primary-key index, where random ones (version 4) each dirty a page
 * somewhere in it. In SQLite that halved the cost of storing a snapshot and keeps it from growing
 * with the table (docs/benchmarks.md). Ids of the same millisecond are in no particular order.
 */
export function timeOrderedId(ms: number): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const b = pool.subarray(used, used + 16);
  used += 16;
  const t = Math.max(0, Math.floor(ms));
  b[0] = Math.floor(t / 2 ** 40) & 0xff;
  b[1] = Math.floor(t / 2 ** 32) & 0xff;
  b[2] = (t >>> 24) & 0xff;
  b[3] = (t >>> 16) & 0xff;
  b[4] = (t >>> 8) & 0xff;
  b[5] = t & 0xff;
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
