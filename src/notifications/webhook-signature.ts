import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header both directions use: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'X-Signature';

export function signatureDigest(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

export function signBody(secret: string, body: string | Buffer, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${signatureDigest(secret, t, body)}`;
}

export type SignatureCheck =
  | { ok: true; t: number; v1: string }
  | { ok: false; reason: string };

const HEADER = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

/**
 * Checks a signature header against the raw body: well formed, the timestamp within `maxSkewSeconds`
 * of `now` (either way), and the digest equal in constant time.
 */
export function verifySignature(
  header: string | undefined,
  body: Buffer,
  secret: string,
  now: Date,
  maxSkewSeconds: number,
): SignatureCheck {
  if (!secret) return { ok: false, reason: 'the inbound webhook has no secret configured (notifications.n8n.secret)' };
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const m = HEADER.exec(header.trim());
  if (!m) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header (expected t=<unix seconds>,v1=<64 hex>)` };
  const t = Number(m[1]);
  const v1 = m[2]!;
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - t);
  if (skew > maxSkewSeconds) {
    return { ok: false, reason: `signature timestamp is ${skew}s away from now (more than ${maxSkewSeconds}s)` };
  }
  const expected = Buffer.from(signatureDigest(secret, t, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'signature does not match the body' };
  return { ok: true, t, v1 };
}

/** Constant-time comparison of a bearer token against the configured one. */
export function tokenMatches(offered: string, expected: string): boolean {
  if (!expected) return false;
  const a = createHmac('sha256', 'token-compare').update(offered).digest();
  const b = createHmac('sha256', 'token-compare').update(expected).digest();
  return timingSafeEqual(a, b);
}
