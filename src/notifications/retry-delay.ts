export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before the attempt that follows failed attempt number `attempt` (1-based): exponential,
 * capped, with "equal jitter" (half fixed, half random) so a fleet of senders does not retry in step
 * and the delay still grows every time.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = policy.initialDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(policy.maxDelayMs, exp);
  return Math.round(capped / 2 + random() * (capped / 2));
}
