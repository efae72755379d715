import { performance } from 'node:perf_hooks';
import type { AppConfig } from '../config/schema';

export type HostHealthOptions = Pick<AppConfig['modelHosts'], 'healthPath' | 'timeoutMs'>;

/** One health probe of one model host, worded so an operator can act on `reason` alone. */
export interface HostHealth {
  ok: boolean;
  /** The URL probed (base URL + health path). */
  url: string;
  /** HTTP status, when the host answered at all. */
  status?: number;
  /** "HTTP 200", "HTTP 500", "timed out after 3000 ms", "connection refused", ... */
  reason: string;
  durationMs: number;
}

export function healthUrl(baseUrl: string, healthPath: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${healthPath}`;
}

interface ErrorWithCode {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * undici reports network failures as `TypeError('fetch failed')` with the socket error in `cause`;
 * with several addresses (happy eyeballs) the cause is an AggregateError whose parts carry the code.
 */
function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as ErrorWithCode;
    if (typeof e.code === 'string' && e.code !== 'UND_ERR') return e.code;
    if (Array.isArray(e.errors)) {
      for (const inner of e.errors as ErrorWithCode[]) {
        if (inner && typeof inner.code === 'string') return inner.code;
      }
    }
    current = e.cause;
  }
  return undefined;
}

function describeNetworkError(err: unknown): string {
  const code = networkCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset by the host';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case undefined:
      break;
    default:
      return `network error (${code})`;
  }
  const cause = (err as ErrorWithCode | null)?.cause as ErrorWithCode | undefined;
  const message = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return `request failed: ${message}`;
}

/**
 * GET <baseUrl><healthPath> with a timeout. Never throws: every outcome is a HostHealth, so the
 * caller can record the check and decide. Healthy means a 2xx answer whose body arrived in time.
 * Durations are measured on the monotonic clock, not the injected one: they report real latency.
 */
export async function checkModelHostHealth(
  baseUrl: string,
  options: HostHealthOptions,
  signal?: AbortSignal,
): Promise<HostHealth> {
  const url = healthUrl(baseUrl, options.healthPath);
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;

  if (signal?.aborted) {
    return { ok: false, url, reason: 'aborted before the check', durationMs: 0 };
  }
  try {
    const response = await fetch(url, {
      method: 'GET',
      // A fresh connection per probe: a pooled keep-alive socket would test an old connection, and
      // report a host that just died as "connection reset" instead of "connection refused".
      headers: { accept: 'application/json', connection: 'close' },
      redirect: 'manual',
      signal: combined,
    });
    // Reading the body inside the same signal: a host that sends headers then stalls is not healthy.
    await response.arrayBuffer();
    const ok = response.status >= 200 && response.status < 300;
    return { ok, url, status: response.status, reason: `HTTP ${response.status}`, durationMs: elapsed() };
  } catch (err) {
    const durationMs = elapsed();
    if (timeout.aborted) {
      return { ok: false, url, reason: `timed out after ${options.timeoutMs} ms`, durationMs };
    }
    if (signal?.aborted) {
      return { ok: false, url, reason: 'aborted (the action ran out of time or the service is stopping)', durationMs };
    }
    return { ok: false, url, reason: describeNetworkError(err), durationMs };
  }
}
