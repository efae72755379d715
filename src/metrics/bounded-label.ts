/**
 * A label whose values come from clients (a snapshot's source). Each distinct value is a time series
 * in Prometheus, so only the first `limit` values seen get their own; the rest share `other`.
 */
export class BoundedLabel {
  static readonly OVERFLOW = 'other';

  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  valueOf(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.limit) return BoundedLabel.OVERFLOW;
    this.seen.add(raw);
    return raw;
  }
}
