// Small pieces every page uses: problems, loading state, command forms, badges.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Problem } from '../problem';

/** A problem as the person should read it: the server's title and detail, and per-field errors. */
export function ProblemBox({ problem }: { problem: Problem | undefined }) {
  if (!problem) return null;
  const hint =
    problem.status === 401
      ? 'Your token is missing, expired or not accepted: sign in again.'
      : problem.status === 403
        ? 'Your roles do not allow this.'
        : undefined;
  return (
    <div class="problem" role="alert" data-status={problem.status} data-code={problem.code}>
      <strong class="problem-title">{problem.title}</strong>
      {problem.code ? <code class="problem-code">{problem.code}</code> : null}
      {problem.detail ? <div class="problem-detail">{problem.detail}</div> : null}
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.path}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {hint ? <div class="problem-hint">{hint}</div> : null}
    </div>
  );
}

export type Loaded<T> = { data?: T; problem?: Problem; loading: boolean; reload: () => void };

/** Runs `load` now and whenever `deps` change (or `reload()` is called); the latest answer wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; problem?: Problem; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (err: unknown) => mine === seq.current && setState((s) => ({ ...s, problem: Problem.of(err), loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A command form's submission: busy while it runs, then the result or the server's problem. */
export function useSubmit<A extends unknown[], T>(run: (...args: A) => Promise<T>) {
  const [state, setState] = useState<{ busy: boolean; result?: T; problem?: Problem }>({ busy: false });
  const submit = async (...args: A): Promise<T | undefined> => {
    setState({ busy: true });
    try {
      const result = await run(...args);
      setState({ busy: false, result });
      return result;
    } catch (err) {
      setState({ busy: false, problem: Problem.of(err) });
      return undefined;
    }
  };
  return { ...state, submit };
}

/** Runs `fn` every `ms` while mounted. */
export function useInterval(fn: () => void, ms: number) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}

export function Card({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${value.toLowerCase()}`}>{value}</span>;
}

export function Money({ amount, currency }: { amount: string; currency?: string }) {
  return (
    <span class={`money${amount.startsWith('-') ? ' negative' : ''}`}>
      {amount}
      {currency ? <span class="currency"> {currency}</span> : null}
    </span>
  );
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** The named fields of a submitted form, as trimmed strings (empty ones left out). */
export function formFields(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const out: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  });
  return out;
}

/**
 * Previous / Next over pages read by cursor. `cursors` holds the cursor of each page shown after
 * the first; `go` gets the new list and the cursor of the page to read (undefined: the first).
 */
export function CursorPager(props: {
  cursors: string[];
  next: string | null | undefined;
  go: (cursors: string[], cursor: string | undefined) => void;
}) {
  const { cursors, next, go } = props;
  return (
    <div class="pager">
      <button
        type="button"
        disabled={cursors.length === 0}
        onClick={() => {
          const previous = cursors.slice(0, -1);
          go(previous, previous[previous.length - 1]);
        }}
      >
        ← Previous
      </button>
      <button type="button" disabled={!next} onClick={() => next && go([...cursors, next], next)}>
        Next →
      </button>
    </div>
  );
}
