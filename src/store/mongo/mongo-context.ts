import type { Connection } from 'mongoose';
import { type Clock, systemClock } from '../../clock';
import { type FaultPoints, noFaults } from '../../domain/fault-points';
import type { Doc } from './codec';
import { isDuplicateKeyError } from './connection';
import type { MongoModels } from './models';

/** A claim older than this whose owner never finished is taken as left behind by a crash. */
const ABANDONED_CLAIM_MS = 10_000;

/** Retries while another writer finishes a change it has claimed (about 3 s in all). */
export const CLAIM_WAIT_ATTEMPTS = 60;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What every aggregate of the MongoDB store shares: the connection and its models, the claim (an
 * insert of a deterministic `_id`, the one exclusive write on FerretDB and MongoDB alike), the wall
 * clock that ages abandoned claims, and the fault points.
 */
export class MongoContext {
  private connection: Connection | null = null;
  private models: MongoModels | null = null;
  readonly clock: Clock;

  constructor(
    clock: Clock | undefined,
    readonly faults: FaultPoints = noFaults,
  ) {
    this.clock = clock ?? systemClock;
  }

  open(connection: Connection, models: MongoModels): void {
    this.connection = connection;
    this.models = models;
  }

  /** Forgets the connection and returns it for closing. */
  detach(): Connection | null {
    const conn = this.connection;
    this.connection = null;
    this.models = null;
    return conn;
  }

  /** The connection when open; null otherwise (for ping). */
  get openConnection(): Connection | null {
    return this.connection;
  }

  get conn(): Connection {
    if (!this.connection) throw new Error('MongoDB store is not open');
    return this.connection;
  }

  get m(): MongoModels {
    if (!this.models) throw new Error('MongoDB store is not open');
    return this.models;
  }

  /** Inserts one document; false when its `_id` is taken (the claim belongs to someone else). */
  async claim(model: keyof MongoModels, doc: Doc): Promise<boolean> {
    try {
      await this.m[model].collection.insertOne(doc as { _id: never });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  isAbandoned(claimedAt: unknown): boolean {
    return !(claimedAt instanceof Date) || claimedAt.getTime() < this.clock.now().getTime() - ABANDONED_CLAIM_MS;
  }
}
