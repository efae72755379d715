import os from 'node:os';

/**
 * Who this instance is in the store's leases and in each action's `runner`. Empty configuration
 * means `<hostname>:<pid>`: unique among processes that run at the same time on one store, and new
 * after every restart (a restarted process is a different runner from the one that crashed).
 */
export function resolveInstanceId(configured: string, hostname = os.hostname(), pid = process.pid): string {
  const id = configured.trim();
  return id !== '' ? id : `${hostname}:${pid}`;
}
