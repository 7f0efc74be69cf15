// The audit trail of one account, read from the event log with its proofs; shows whether
// event-source's cryptographic check of what it returned passed.
import { useSession } from '../context';
import type { AuditTrail } from '../types';
import { Card, ProblemBox, time, useSubmit } from './ui';

export function AuditPanel({ accountId, seen }: { accountId: string; seen?: number }) {
  const { api } = useSession();
  const audit = useSubmit(() => api.auditTrail(accountId));
  return (
    <Card title="Audit trail">
      <p class="muted">Read from the ImmuDB log itself, with inclusion and consistency proofs checked.</p>
      <button type="button" onClick={() => void audit.submit()} disabled={audit.busy}>
        {audit.busy ? 'Verifying…' : audit.result ? 'Verify again' : 'Verify audit trail'}
      </button>
      {seen !== undefined && audit.result && audit.result.items.length < seen ? (
        <p class="muted">New events since this check.</p>
      ) : null}
      <ProblemBox problem={audit.problem} />
      {audit.result ? <VerificationView trail={audit.result} /> : null}
    </Card>
  );
}

export function VerificationView({ trail }: { trail: AuditTrail }) {
  const v = trail.verification;
  return (
    <div data-testid="verification" data-verified={String(v.verified)}>
      <div class={v.verified ? 'ok' : 'problem'}>
        <strong>{v.verified ? 'Verified' : 'Verification FAILED'}</strong>: {v.entriesVerified ?? trail.items.length}{' '}
        entries; inclusion {v.checks?.inclusion ?? '?'}, consistency {v.checks?.consistency ?? '?'}
        {v.state?.txId !== undefined ? `, at log transaction ${v.state.txId}` : ''}
        {v.failure ? <div class="problem-detail">{v.failure}</div> : null}
      </div>
      <ol class="events">
        {trail.items.slice(-8).map((e) => (
          <li key={e.eventId} value={e.version}>
            <span class="event-type">{e.type}</span> <span class="muted">{time(e.occurredAt)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
