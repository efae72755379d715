import { UUID_PATTERN } from '../../src/domain/identifiers';
import { timeOrderedId } from '../../src/domain/time-ordered-id';

describe('timeOrderedId', () => {
  it('is a version 7 UUID carrying its millisecond', () => {
    const at = Date.UTC(2026, 11, 3, 16, 30, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time across milliseconds, and never repeats', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids: string[] = [];
    // More than one pool of random bytes, over 40 milliseconds.
    for (let i = 0; i < 2_000; i++) ids.push(timeOrderedId(start + Math.floor(i / 50)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 50; i < ids.length; i += 50) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect(timeOrderedId(start + 1) > timeOrderedId(start)).toBe(true);
  });

  it('grows in the order it was made within one millisecond, so same-instant snapshots are read back in ingest order', () => {
    const at = Date.UTC(2026, 5, 1, 12, 0, 0, 7);
    const ids = Array.from({ length: 300 }, () => timeOrderedId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(UUID_PATTERN);
      expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    }
    // A new millisecond starts afresh, and still sorts after.
    expect(timeOrderedId(at + 1) > ids[ids.length - 1]!).toBe(true);
  });
});
