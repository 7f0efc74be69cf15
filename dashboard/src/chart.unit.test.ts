import { chartGeometry, lastDays, minorUnits } from './chart';
import type { DailyBalance } from './types';

const day = (date: string, openingBalance: string, closingBalance: string): DailyBalance => ({
  date,
  openingBalance,
  closingBalance,
  credits: '0.00',
  debits: '0.00',
  transactionCount: 1,
});

describe('the daily-balance chart', () => {
  it('reads decimal strings exactly, as minor units', () => {
    expect([minorUnits('12.30'), minorUnits('-5.01'), minorUnits('1500'), minorUnits('1.250')]).toEqual([
      1230n,
      -501n,
      1500n,
      1250n,
    ]);
  });

  it('plots the first opening and every closing balance, the highest at the top', () => {
    const g = chartGeometry([day('2026-12-01', '0.00', '100.00'), day('2026-12-02', '100.00', '50.00')], 208, 108, 4);
    expect(g.points.map((p) => [p.x, p.y])).toEqual([
      [4, 104],
      [104, 4],
      [204, 54],
    ]);
    expect(g.path).toBe('M4,104 L104,4 L204,54');
    expect([g.min, g.max, g.zeroY]).toEqual(['0.00', '100.00', 104]);
  });

  it('draws a flat line in the middle band when nothing moved, and nothing without days', () => {
    const flat = chartGeometry([day('2026-12-01', '7.00', '7.00')], 100, 100, 0);
    expect(flat.points.map((p) => p.y)).toEqual([50, 50]);
    expect(chartGeometry([], 100, 100).path).toBe('');
  });

  it('asks for the last n UTC days, today included', () => {
    expect(lastDays(30, new Date('2026-12-05T23:59:00Z'))).toEqual({ from: '2026-11-06', to: '2026-12-05' });
  });
});
