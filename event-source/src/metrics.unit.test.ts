import { Registry } from '@bank/service-kit';
import { GroupCommit, type Write } from './group-commit';
import { PreconditionFailed, type TxHeader } from './immudb/client';
import { EventLogMetrics } from './metrics';

const write = (stream: string): Write => ({
  kvs: [{ key: Buffer.from(`${stream}/1`), value: Buffer.from('v') }],
  preconditions: [{ keyMustNotExist: { key: Buffer.from(`${stream}/1`) } }],
  exclusive: [stream],
});

/** The value of one series in the exposition text (labels given in full, in order), or undefined. */
const sample = (text: string, series: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${series} `))
    .map((l) => Number(l.slice(series.length + 1)))[0];

describe('event log metrics', () => {
  it('observes every ImmuDB transaction of group commit: appends and entries per transaction, outcome', async () => {
    const registry = new Registry();
    const metrics = new EventLogMetrics(registry);
    let release: () => void = () => undefined;
    let calls = 0;
    const group = new GroupCommit(
      async (kvs): Promise<TxHeader> => {
        calls++;
        if (calls === 1) await new Promise<void>((r) => (release = r));
        if (calls === 3) throw new PreconditionFailed('tx precondition failed');
        return { id: calls, ts: 0, nentries: kvs.length };
      },
      undefined,
      metrics.commit,
    );
    const first = group.submit(write('x'));
    const grouped = ['a', 'b', 'c'].map((s) => group.submit(write(s)));
    release();
    await first;
    await Promise.all(grouped);
    await expect(group.submit(write('d'))).rejects.toBeInstanceOf(PreconditionFailed);

    const text = await registry.metrics();
    expect(sample(text, 'bank_event_log_commits_total{outcome="committed"}')).toBe(2);
    expect(sample(text, 'bank_event_log_commits_total{outcome="precondition_failed"}')).toBe(1);
    // One transaction of 1 append and one of 3: the batch-size histogram says so.
    expect(sample(text, 'bank_event_log_commit_writes_sum{outcome="committed"}')).toBe(4);
    expect(sample(text, 'bank_event_log_commit_writes_bucket{le="1",outcome="committed"}')).toBe(1);
    expect(sample(text, 'bank_event_log_commit_writes_bucket{le="4",outcome="committed"}')).toBe(2);
    expect(sample(text, 'bank_event_log_commit_entries_sum{outcome="committed"}')).toBe(4);
    expect(sample(text, 'bank_event_log_commit_duration_seconds_count{outcome="committed"}')).toBe(2);
  });

  it('counts appends by outcome and what the relay published', async () => {
    const registry = new Registry();
    const metrics = new EventLogMetrics(registry);
    metrics.append({ ok: true, version: 2, logTx: 7, duplicate: false });
    metrics.append({ ok: true, version: 2, logTx: 7, duplicate: true });
    metrics.append({ ok: false, code: 'VERSION_CONFLICT', currentVersion: 3 });
    metrics.append('error');
    metrics.published(40);
    metrics.published(2);
    metrics.relayPosition(() => ({ cursorTx: 90, headTx: 100 }));

    const text = await registry.metrics();
    expect(sample(text, 'bank_event_log_appends_total{outcome="appended"}')).toBe(1);
    expect(sample(text, 'bank_event_log_appends_total{outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'bank_event_log_appends_total{outcome="version_conflict"}')).toBe(1);
    expect(sample(text, 'bank_event_log_appends_total{outcome="error"}')).toBe(1);
    expect(sample(text, 'bank_relay_published_events_total')).toBe(42);
    expect(sample(text, 'bank_relay_published_messages_total')).toBe(2);
    expect(sample(text, 'bank_relay_cursor_tx')).toBe(90);
    expect(sample(text, 'bank_relay_lag_transactions')).toBe(10);
  });
});
