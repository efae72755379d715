/**
 * Downsamples one fact's values, read oldest first, into fixed buckets of `stepMs` from `fromMs`:
 * each bucket keeps its lowest and its highest point (at their own times), so a spike or a dip
 * survives any zoom level, where an average would flatten it. A bucket with one point gives one.
 * The newest sample always ends the series (a chart's last value is the fact as it is now), so
 * n buckets give at most 2n + 1 points. Both adapters stream their rows through it, so the two
 * stores answer a series alike.
 */
export class SeriesBuckets {
  readonly points: Array<[number, number]> = [];
  samples = 0;
  private bucket = Number.NaN;
  private min: [number, number] | null = null;
  private max: [number, number] | null = null;
  private last: [number, number] | null = null;

  constructor(
    private readonly fromMs: number,
    private readonly stepMs: number,
  ) {}

  add(t: number, value: number): void {
    if (!Number.isFinite(value)) return;
    this.samples += 1;
    this.last = [t, value];
    const bucket = Math.floor((t - this.fromMs) / this.stepMs);
    if (bucket !== this.bucket) {
      this.flush();
      this.bucket = bucket;
      this.min = [t, value];
      this.max = this.min;
      return;
    }
    if (value < this.min![1]) this.min = [t, value];
    if (value > this.max![1]) this.max = [t, value];
  }

  finish(): { points: Array<[number, number]>; samples: number } {
    this.flush();
    const end = this.points[this.points.length - 1];
    if (this.last && end && (end[0] !== this.last[0] || end[1] !== this.last[1])) this.points.push(this.last);
    return { points: this.points, samples: this.samples };
  }

  private flush(): void {
    const { min, max } = this;
    if (!min || !max) return;
    if (min === max) this.points.push(min);
    else if (min[0] <= max[0]) this.points.push(min, max);
    else this.points.push(max, min);
    this.min = null;
    this.max = null;
  }
}

/** A JSON text as SQLite's `->` gives it: a number's text is read, anything else is not a number. */
export function jsonNumber(text: unknown): number | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const c = text.charCodeAt(0);
  if (c !== 45 /* - */ && (c < 48 || c > 57)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
