/**
 * Runs a pass now when kicked and otherwise every interval, one pass at a time: a kick during a pass
 * runs another right after it, so work written meanwhile is never left for the next poll. The outbox
 * dispatcher and the event relay both drain a store table this way.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private again = false;
  private halted = true;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    if (!this.halted) return;
    this.halted = false;
    this.schedule(0);
  }

  kick(): void {
    if (this.halted) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling at once (before the first await, so a caller may abort work next) and waits for the pass under way. */
  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.loop;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.again = false;
      this.loop = this.pass()
        .then(() => undefined, this.onError)
        .finally(() => {
          this.loop = null;
          if (!this.halted) this.schedule(this.again ? 0 : this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
