import type { EventLogClient, Logger } from '@bank/service-kit';
import type { Db } from 'mongodb';
import { generationDb } from './generations';
import { Projector } from './projector';
import { ReadModel } from './read-model';
import type { GuardMode } from './version-guard';

/**
 * One Projector (and read model) per generation, shared by the live subscription and the
 * rebuild: the same instance means the same per-account queue, so the two never race inside
 * this process. Across processes, MongoDB's conditional updates keep them safe; with guards
 * checked by the projector (FerretDB, see version-guard.ts) run one projections process per
 * database.
 */
export class Projectors {
  private readonly byGeneration = new Map<number, { model: ReadModel; projector: Projector }>();

  constructor(
    private readonly db: Db,
    private readonly eventLog: Pick<EventLogClient, 'readAll'>,
    private readonly log: Logger,
    private readonly guards: GuardMode = 'server',
  ) {}

  model(generation: number): ReadModel {
    return this.entry(generation).model;
  }

  projector(generation: number): Projector {
    return this.entry(generation).projector;
  }

  forget(generation: number): void {
    this.byGeneration.delete(generation);
  }

  private entry(generation: number) {
    let entry = this.byGeneration.get(generation);
    if (!entry) {
      const model = new ReadModel(generationDb(this.db, generation), this.guards);
      entry = { model, projector: new Projector(model, this.eventLog, this.log.child({ generation })) };
      this.byGeneration.set(generation, entry);
    }
    return entry;
  }
}
