import type { Response } from 'express';

/**
 * A JSON reply written straight to the socket, for the ingest routes that answer thousands of
 * times a second: Express's res.json would also hash the body for an ETag, which a POST reply never
 * uses (nothing caches or revalidates it). Same status, Content-Type and body as res.json.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
