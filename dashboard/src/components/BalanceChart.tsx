// The daily closing balances as an SVG line, drawn by hand (no chart library).
import { chartGeometry } from '../chart';
import type { DailyBalance } from '../types';

const W = 640;
const H = 180;

export function BalanceChart({ days, currency }: { days: DailyBalance[]; currency: string }) {
  const g = chartGeometry(days, W, H, 12);
  if (g.points.length === 0) return <p class="muted">No days to show yet.</p>;
  const first = days[0]!;
  const last = days[days.length - 1]!;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Daily balance from ${first.date} to ${last.date}`}
        data-testid="chart"
      >
        {g.zeroY !== null ? <line class="zero" x1={0} x2={W} y1={g.zeroY} y2={g.zeroY} /> : null}
        <path class="area" d={`${g.path} L${g.points[g.points.length - 1]!.x},${H} L${g.points[0]!.x},${H} Z`} />
        <path class="line" d={g.path} data-points={g.points.length} />
        {g.points.map((p) => (
          <circle key={p.label} cx={p.x} cy={p.y} r={2.5}>
            <title>
              {p.label}: {p.value} {currency}
            </title>
          </circle>
        ))}
      </svg>
      <figcaption class="muted">
        {first.date} → {last.date} · low {g.min} · high {g.max} {currency}
      </figcaption>
    </figure>
  );
}
