import type { Response } from 'express';

/**
 * A JSON reply written straight to the socket, for the ingest routes that answer thousands of
 * times a second: Express's res.json would also hash the body for an ETag, which a POST reply never
 * uses (nothing caches or revalidates it). Same status, Content-Type and body as res.json.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** The same, for a body already written as JSON text. */
export function sendJsonText(res: Response, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
