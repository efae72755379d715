import fs from 'node:fs/promises';
import { ServiceUnavailableError } from '../errors';

export interface FileLockOptions {
  /** Give up waiting after this long. */
  timeoutMs?: number;
  /** A lock older than this was left by a process that died mid-write: take it over. */
  staleMs?: number;
}

/**
 * Runs `task` while holding `<file>.lock`, created with O_EXCL so that only one process on the
 * machine (or on a shared disk) holds it. Several service instances writing one rules file take
 * turns, so a version check and the write that follows it cannot interleave with another's.
 */
export async function withFileLock<T>(file: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockPath = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const stat = await fs.stat(lockPath).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > staleMs) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new ServiceUnavailableError(`the rules file is locked by another writer (${lockPath}); retry shortly`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await task();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}
