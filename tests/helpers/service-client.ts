import { snapshot } from './rules';
import type { ServiceProcess } from './service-process';

/** One request to a service process; the reply's status and parsed JSON body. */
export async function callService<T>(proc: ServiceProcess, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${proc.url}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** GET that must answer 200; anything else fails the test with the reply. Any server will do (a service process, Prometheus). */
export async function getJson<T>(server: { url: string }, url: string): Promise<T> {
  const res = await fetch(`${server.url}${url}`);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** POSTs a snapshot of `metrics` from `source` and returns the decisions (200 or the test fails). */
export async function ingest<D = { rule: string; decision: string; actionId?: string }>(
  proc: ServiceProcess,
  metrics: Record<string, unknown>,
  source?: string,
): Promise<D[]> {
  const res = await callService<{ decisions: D[] }>(proc, 'POST', '/api/metrics', snapshot(metrics, source));
  if (res.status !== 200) throw new Error(`ingest: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.decisions;
}

/** The JSON log lines of a process (LOG_FORMAT=json), parsed. */
export function logLines(proc: ServiceProcess): Record<string, unknown>[] {
  return proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
