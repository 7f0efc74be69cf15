// The daily-balance chart's geometry, apart from the drawing so it can be tested. Balances are
// exact decimal strings; they become floats only here, as pixel positions.
import type { DailyBalance } from './types';

export type ChartPoint = { x: number; y: number; label: string; value: string };
export type ChartGeometry = { points: ChartPoint[]; path: string; min: string; max: string; zeroY: number | null };

/** The minor units of a decimal string as the API prints it ("12.30" → 1230n, "-5" → -5n). */
export function minorUnits(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

/**
 * Points for each day's opening (the first day only) and closing balance, scaled into the box
 * (`pad` pixels inside it); the y axis always spans at least one minor unit.
 */
export function chartGeometry(days: DailyBalance[], width: number, height: number, pad = 8): ChartGeometry {
  const first = days[0];
  if (!first) return { points: [], path: '', min: '0', max: '0', zeroY: null };
  const series = [
    { label: `${first.date} opening`, value: first.openingBalance },
    ...days.map((d) => ({ label: d.date, value: d.closingBalance })),
  ];
  const values = series.map((s) => minorUnits(s.value));
  let lo = values.reduce((a, b) => (b < a ? b : a));
  let hi = values.reduce((a, b) => (b > a ? b : a));
  const minLabel = series[values.indexOf(lo)]!.value;
  const maxLabel = series[values.indexOf(hi)]!.value;
  if (hi === lo) {
    hi += 1n;
    lo -= 1n;
  }
  const range = Number(hi - lo);
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  const yOf = (v: bigint) => pad + (Number(hi - v) / range) * innerH;
  const points = series.map((s, i) => ({
    x: round(pad + (series.length === 1 ? innerW / 2 : (i / (series.length - 1)) * innerW)),
    y: round(yOf(values[i]!)),
    label: s.label,
    value: s.value,
  }));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  return { points, path, min: minLabel, max: maxLabel, zeroY: lo <= 0n && hi >= 0n ? round(yOf(0n)) : null };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The last `days` UTC days up to today, as the daily-balances query wants them. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}
