import crypto from 'node:crypto';
import { retryDelayMs } from '../../src/notifications/retry-delay';
import { signBody, verifySignature } from '../../src/notifications/webhook-signature';

const AT = new Date('2026-03-01T10:00:00Z');
const T = AT.getTime() / 1000;

describe('webhook signature', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', () => {
    const body = '{"id":"x","type":"alert.created"}';
    const expected = crypto.createHmac('sha256', 'k').update(`${T}.${body}`).digest('hex');
    expect(signBody('k', body, AT)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies its own signatures over the same bytes and refuses everything else', () => {
    const body = Buffer.from('{"a":1}');
    const header = signBody('k', body, AT);
    expect(verifySignature(header, body, 'k', AT, 300)).toMatchObject({ ok: true, t: T });
    expect(verifySignature(header, Buffer.from('{"a": 1}'), 'k', AT, 300)).toMatchObject({ ok: false });
    expect(verifySignature(header, body, 'other', AT, 300)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
    expect(verifySignature(header, body, 'k', new Date(AT.getTime() + 301_000), 300)).toMatchObject({ ok: false });
    expect(verifySignature(undefined, body, 'k', AT, 300)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing/) });
    expect(verifySignature(`${header},v0=00`, body, 'k', AT, 300)).toMatchObject({ ok: false, reason: expect.stringMatching(/malformed/) });
    expect(verifySignature(header.toUpperCase(), body, 'k', AT, 300)).toMatchObject({ ok: false });
    expect(verifySignature(header, body, '', AT, 300)).toMatchObject({ ok: false, reason: expect.stringMatching(/no secret/) });
  });
});

describe('retry delay', () => {
  const policy = { initialDelayMs: 1000, maxDelayMs: 300_000 };

  it('doubles per attempt, with half of it random, and stops growing at the cap', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(2, policy, () => 0)).toBe(1000);
    expect(retryDelayMs(4, policy, () => 1)).toBe(8000);
    expect(retryDelayMs(30, policy, () => 1)).toBe(300_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(150_000);
  });

  it('is spread out, so senders do not retry in step', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});
