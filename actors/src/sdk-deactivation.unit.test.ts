import ActorId from '@dapr/dapr/actors/ActorId';
import ActorManager from '@dapr/dapr/actors/runtime/ActorManager';
import type { AbstractActor, DaprClient } from '@dapr/dapr';
import pino from 'pino';
import { tolerateDeactivationOfInactiveActors } from './sdk-deactivation';

describe('deactivation requests the Dapr JS SDK would crash on', () => {
  const manager = new ActorManager(class {} as never, {} as DaprClient);

  it('are refused by the SDK as it ships (an unhandled rejection in its HTTP handler)', async () => {
    await expect(manager.deactivateActor(new ActorId('never-active'))).rejects.toThrow('ACTOR_NOT_ACTIVATED');
  });

  it('are no-ops once guarded: an actor not active here, and one whose own deactivation fails', async () => {
    tolerateDeactivationOfInactiveActors(pino({ level: 'silent' }));
    await expect(manager.deactivateActor(new ActorId('never-active'))).resolves.toBeUndefined();
    const failing = {
      onDeactivateInternal: async () => {
        throw new Error('state store down');
      },
    } as unknown as AbstractActor;
    manager.actors.set('failing', failing as never);
    await expect(manager.deactivateActor(new ActorId('failing'))).resolves.toBeUndefined();
  });
});
