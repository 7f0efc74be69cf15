// The live stream as a hook, and the indicator that tells whether it is connected.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from '../context';
import { queryString } from '../api';
import { openStream, type StreamState } from '../stream';
import type { StreamEvent } from '../types';
import { ProblemBox } from './ui';

/** Follows the stream (of one account, or of everything) while mounted. */
export function useStream(accountId: string | undefined, onEvent: (e: StreamEvent) => void): StreamState {
  const { streamUrl, token } = useSession();
  const [state, setState] = useState<StreamState>({ connected: false });
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(
    () =>
      openStream({
        url: streamUrl + queryString({ accountId }),
        token,
        onEvent: (e) => handler.current(e),
        onState: setState,
      }),
    [streamUrl, accountId, token],
  );
  return state;
}

export function LiveIndicator({ state }: { state: StreamState }) {
  return (
    <span class="live-wrap">
      <span
        class={`live ${state.connected ? 'on' : 'off'}`}
        data-testid="live"
        data-connected={String(state.connected)}
      >
        {state.connected
          ? 'live'
          : state.retryInMs
            ? `reconnecting in ${(state.retryInMs / 1000).toFixed(1)} s`
            : 'not connected'}
      </span>
      {!state.connected && state.problem && state.problem.status !== 0 ? <ProblemBox problem={state.problem} /> : null}
    </span>
  );
}
