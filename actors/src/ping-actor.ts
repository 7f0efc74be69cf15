import { AbstractActor } from '@dapr/dapr';

/**
 * An actor that does nothing: the benchmark's baseline for the cost of one Dapr actor call
 * (sidecar -> placement lookup -> actor host -> back), and a probe that the actor runtime works.
 */
export class Ping extends AbstractActor {
  async ping(): Promise<{ ok: true }> {
    return { ok: true };
  }
}
