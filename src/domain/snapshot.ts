/** A metric snapshot as accepted from a source; `metrics` keys become rule facts. */
export interface Snapshot {
  source: string;
  timestamp: string;
  metrics: Record<string, unknown>;
}

export interface StoredSnapshot extends Snapshot {
  id: string;
  receivedAt: Date;
}
