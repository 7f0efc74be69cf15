/**
 * A guard around the Dapr JS SDK (3.18). When daprd asks this process to deactivate an actor it
 * does not hold (after this process restarted, or after placement moved actors, e.g. when the
 * placement service itself restarted), the SDK's ActorManager throws ACTOR_NOT_ACTIVATED inside
 * an async express handler: an unhandled rejection, and Node exits. The chaos test (kill -9 of
 * placement under load) hit it. Deactivating an actor that is not active has nothing to do, so
 * here it does nothing; an actor whose own deactivation fails is logged, not fatal (its snapshot
 * is only an optimisation: the log is the truth).
 */
import ActorManager from '@dapr/dapr/actors/runtime/ActorManager';
import type ActorId from '@dapr/dapr/actors/ActorId';
import type { Logger } from '@bank/service-kit';

export function tolerateDeactivationOfInactiveActors(log: Logger): void {
  const proto = ActorManager.prototype;
  const original = proto.deactivateActor;
  proto.deactivateActor = async function (this: ActorManager<never>, actorId: ActorId): Promise<void> {
    if (!this.actors.has(actorId.getId())) {
      log.debug({ actorId: actorId.getId() }, 'deactivation of an actor not active here: nothing to do');
      return;
    }
    try {
      await original.call(this, actorId);
    } catch (err) {
      log.warn({ err, actorId: actorId.getId() }, 'actor deactivation failed');
    }
  };
}
