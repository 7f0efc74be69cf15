// System health: each app's readiness and the projections' lag (GET /api/v1/operations/status,
// every 5 s), and the audit trail's verification for an account.
import { useState } from 'preact/hooks';
import { useSession } from '../context';
import { VerificationView } from './AuditPanel';
import { Card, formFields, ProblemBox, time, useInterval, useLoad, useSubmit } from './ui';

export function HealthPage() {
  const { api, claims } = useSession();
  const status = useLoad(() => api.operationsStatus(), []);
  useInterval(status.reload, 5_000);
  const s = status.data;
  const p = s?.projection;
  return (
    <div class="grid">
      <div class="col-main">
        <Card title="Apps" actions={<span class="muted">checked {time(s?.checkedAt)}</span>}>
          <ProblemBox problem={status.problem} />
          <table data-testid="apps">
            <thead>
              <tr>
                <th>App</th>
                <th>Ready</th>
                <th>Checks</th>
              </tr>
            </thead>
            <tbody>
              {s?.apps.map((a) => (
                <tr key={a.appId} data-ready={String(a.ready)}>
                  <td>{a.appId}</td>
                  <td class={a.ready ? 'good' : 'bad'}>{a.ready ? '✓ ready' : '✗ not ready'}</td>
                  <td>
                    {a.error ? <span class="bad">{a.error} </span> : null}
                    {a.checks?.map((c) => (
                      <span key={c.name} class={`check ${c.ok ? 'good' : 'bad'}`} title={c.error}>
                        {c.ok ? '✓' : '✗'} {c.name}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Projection lag">
          {p ? (
            <div class="tiles" data-testid="projection">
              <div class="tile">
                <div class="tile-label">Behind (events)</div>
                <div class="tile-value">{p.behindEvents}</div>
              </div>
              <div class="tile">
                <div class="tile-label">Behind (ms)</div>
                <div class="tile-value">{p.behindMs}</div>
              </div>
              <div class="tile">
                <div class="tile-label">Applied / head tx</div>
                <div class="tile-value">
                  {p.appliedTx} / {p.headTx}
                </div>
              </div>
              <div class="tile">
                <div class="tile-label">Generation</div>
                <div class="tile-value">{p.generation}</div>
              </div>
            </div>
          ) : (
            <p class="muted">{s ? 'The projections did not report.' : '…'}</p>
          )}
          {p?.error ? <div class="problem">{p.error}</div> : null}
          {p ? <p class="muted">measured {time(p.measuredAt)}</p> : null}
        </Card>
      </div>
      <div class="col-side">
        {claims.roles.some((r) => r === 'auditor' || r === 'admin') ? <VerifyAccount /> : null}
      </div>
    </div>
  );
}

function VerifyAccount() {
  const { api } = useSession();
  const [accountId, setAccountId] = useState<string>();
  const verify = useSubmit((id: string) => api.auditTrail(id));
  return (
    <Card title="Verify an account's audit trail">
      <form
        class="stack"
        onSubmit={(e) => {
          const f = formFields(e);
          if (!f.accountId) return;
          setAccountId(f.accountId);
          void verify.submit(f.accountId);
        }}
      >
        <input name="accountId" placeholder="Account id" aria-label="Account to verify" required />
        <button type="submit" disabled={verify.busy}>
          Verify
        </button>
      </form>
      <ProblemBox problem={verify.problem} />
      {verify.result && accountId ? <VerificationView trail={verify.result} /> : null}
    </Card>
  );
}
