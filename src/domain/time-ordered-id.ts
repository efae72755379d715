import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 256 ids at a time: one call into the system's generator per 256 ids. */
const pool = Buffer.alloc(16 * 256);
let used = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Snapshot ids are
 * made thousands of times a second and are the key of the busiest table: ids that grow with time are
 * appended at the end of the primary-key index, where random ones (version 4) each dirty a page
 * somewhere in it. In SQLite that halved the cost of storing a snapshot and keeps it from growing
 * with the table (docs/benchmarks.md). Ids made by one process in the same millisecond grow in the
 * order they were made (RFC 9562's monotonic random: the previous id's random bits plus one), so
 * snapshots stamped with the same instant are read back, and replayed, in the order they came.
 */
export function timeOrderedId(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t === lastMs && incremented(last)) return format(last);
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const b = pool.subarray(used, used + 16);
  used += 16;
  b[0] = Math.floor(t / 2 ** 40) & 0xff;
  b[1] = Math.floor(t / 2 ** 32) & 0xff;
  b[2] = (t >>> 24) & 0xff;
  b[3] = (t >>> 16) & 0xff;
  b[4] = (t >>> 8) & 0xff;
  b[5] = t & 0xff;
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  // Room to count up within the millisecond: the top random bit after the variant starts clear.
  b[8] = b[8]! & 0xdf;
  b.copy(last);
  lastMs = t;
  return format(b);
}

/** The last id made, and its millisecond. */
const last = Buffer.alloc(16);
let lastMs = -1;

/** Adds one to the random bits after the variant (bytes 8-15, below the variant's two bits); false on overflow. */
function incremented(b: Buffer): boolean {
  for (let i = 15; i >= 9; i -= 1) {
    if (b[i] !== 0xff) {
      b[i] = b[i]! + 1;
      return true;
    }
    b[i] = 0;
  }
  if ((b[8]! & 0x3f) === 0x3f) return false;
  b[8] = b[8]! + 1;
  return true;
}

function format(b: Buffer): string {
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
