import { SidecarError, type DaprSidecar } from './dapr';

const PLACEMENT_RETRY_MS = 20_000;

/**
 * Calls a method of a virtual actor through the sidecar. Right after start-up placement may not
 * have told the sidecar where actors live yet; the sidecar then answers 500 without reaching
 * any actor, so retrying is safe for a while. Any other failure is thrown as a SidecarError:
 * the call may or may not have run.
 */
export async function invokeActorWhenPlaced(
  sidecar: DaprSidecar,
  actorType: string,
  actorId: string,
  method: string,
  body: unknown,
): Promise<unknown> {
  const deadline = Date.now() + PLACEMENT_RETRY_MS;
  for (;;) {
    try {
      return await sidecar.invokeActor(actorType, actorId, method, body);
    } catch (err) {
      if (err instanceof SidecarError && notPlacedYet(err) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      throw err;
    }
  }
}

function notPlacedYet(err: SidecarError): boolean {
  const text = JSON.stringify(err.body ?? '');
  return /placement|did not find address for actor|no actor type|actor runtime is not ready/i.test(text);
}
