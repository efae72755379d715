import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { PrometheusSourceConfig } from '../config/sections/sources';
import type { SourceFailureReason } from '../domain/observers';

/** The `data` of a successful `/api/v1/query` answer. */
export type InstantResult =
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'string'; result: [number, string] }
  | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
  | { resultType: 'matrix'; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };

/** A query that did not give a result, and why (the reason is a metric label). */
export class SourceQueryError extends Error {
  constructor(
    readonly reason: SourceFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'SourceQueryError';
  }
}

/** An answer bigger than this is refused rather than read into memory. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

function authHeaders(source: PrometheusSourceConfig): Record<string, string> {
  const headers: Record<string, string> = { ...(source.headers ?? {}) };
  if (source.basicAuth) {
    headers.Authorization = `Basic ${Buffer.from(`${source.basicAuth.username}:${source.basicAuth.password}`).toString('base64')}`;
  }
  if (source.bearerTokenFile) {
    let token: string;
    try {
      token = fs.readFileSync(source.bearerTokenFile, 'utf8').trim();
    } catch (err) {
      throw new SourceQueryError('unreachable', `cannot read bearerTokenFile: ${(err as Error).message}`);
    }
    headers.Authorization = `Bearer ${token}`;
  }
  return headers;
}

/**
 * Runs one PromQL instant query at Prometheus' present (`POST /api/v1/query`, form-encoded, so long queries fit) within
 * the source's timeout. Node's own http client rather than fetch: fetch cannot be handed a CA bundle
 * (`tlsCaFile`) without an extra dispatcher package.
 */
export function queryInstant(source: PrometheusSourceConfig, query: string): Promise<InstantResult> {
  let headers: Record<string, string>;
  try {
    headers = authHeaders(source);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  // No `time`: Prometheus evaluates at its own now, so a clock skew between the hosts shifts nothing.
  const body = new URLSearchParams({ query }).toString();
  const url = new URL(`${source.url.replace(/\/+$/, '')}/api/v1/query`);
  const client = url.protocol === 'https:' ? https : http;
  const ca = source.tlsCaFile ? fs.readFileSync(source.tlsCaFile) : undefined;

  return new Promise<InstantResult>((resolve, reject) => {
    let settled = false;
    const finish = (err: SourceQueryError | null, value?: InstantResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json',
        },
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy();
            finish(new SourceQueryError('bad_result', `the answer is larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(new SourceQueryError('unreachable', err.message)));
        res.on('end', () => finish(...readAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new SourceQueryError('timeout', `no answer within ${source.timeoutMs} ms`));
    }, source.timeoutMs);
    req.on('error', (err) => finish(new SourceQueryError('unreachable', err.message)));
    req.end(body);
  });
}

/** Prometheus' JSON envelope: `success` with data, or `error` with its type and message (on 400, 422, 503). */
function readAnswer(status: number, text: string): [SourceQueryError | null, InstantResult?] {
  type Envelope = { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  let parsed: Envelope | null;
  try {
    const value: unknown = JSON.parse(text);
    parsed = typeof value === 'object' && value !== null ? (value as Envelope) : null;
  } catch {
    parsed = null;
  }
  if (parsed && parsed.status === 'error') {
    return [new SourceQueryError('query_error', `${String(parsed.errorType ?? 'error')}: ${String(parsed.error ?? 'no message')}`)];
  }
  if (status < 200 || status >= 300) return [new SourceQueryError('http_status', `HTTP ${status}: ${text.slice(0, 200)}`)];
  if (!parsed || parsed.status !== 'success' || typeof parsed.data !== 'object' || parsed.data === null) {
    return [new SourceQueryError('bad_result', 'not a Prometheus query answer')];
  }
  const data = parsed.data as { resultType?: unknown; result?: unknown };
  if (!['scalar', 'string', 'vector', 'matrix'].includes(data.resultType as string) || data.result === undefined) {
    return [new SourceQueryError('bad_result', 'the answer has no result of a known type')];
  }
  return [null, data as InstantResult];
}
