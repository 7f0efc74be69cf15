import {
  dailyBalancesOf,
  monthAfter,
  monthDaysText,
  monthsBetween,
  nextDay,
  type DailyBalancesMonthDoc,
  type DayTotals,
} from './read-model';

const month = (m: string, openingBalance: number, days: DayTotals[] = []): DailyBalancesMonthDoc => ({
  _id: `a:${m}`,
  accountId: 'a',
  days: monthDaysText(days),
  month: m,
  openingBalance,
  version: days.length,
});
const day = (date: string, closingBalance: number, credits: number, debits: number, transactionCount = 1) => ({
  date,
  closingBalance,
  credits,
  debits,
  transactionCount,
});

describe('daily balances from month documents', () => {
  it('lists the months of a range across a year end, and the days across a leap day', () => {
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsBetween('2026-11', '2026-11')).toEqual(['2026-11']);
    expect(monthsBetween('2026-12', '2026-11')).toEqual([]);
    expect([monthAfter('2026-11'), monthAfter('2026-12'), monthAfter('0999-12')]).toEqual([
      '2026-12',
      '2027-01',
      '1000-01',
    ]);
    expect([nextDay('2028-02-28'), nextDay('2028-02-29'), nextDay('2026-12-31')]).toEqual([
      '2028-02-29',
      '2028-03-01',
      '2027-01-01',
    ]);
  });

  it('opens a range with the last day before it in its month, or the month opening, and carries quiet days', () => {
    const nov = month('2026-11', 1000, [day('2026-11-03', 1500, 500, 0, 2), day('2026-11-20', 1200, 0, 300)]);
    const dec = month('2026-12', 1200); // no movements: the month carries November's closing balance
    const jan = month('2027-01', 1200, [day('2027-01-02', 1300, 100, 0)]);
    const rows = dailyBalancesOf([nov, dec, jan], '2026-11-19', '2027-01-02', 9999);
    expect(rows).toHaveLength(45);
    expect(rows[0]).toEqual({
      date: '2026-11-19',
      openingBalance: 1500,
      closingBalance: 1500,
      credits: 0,
      debits: 0,
      transactionCount: 0,
    });
    expect(rows[1]).toMatchObject({ date: '2026-11-20', openingBalance: 1500, closingBalance: 1200, debits: 300 });
    expect(rows.find((r) => r.date === '2026-12-31')).toMatchObject({ openingBalance: 1200, closingBalance: 1200 });
    expect(rows.at(-1)).toEqual({
      date: '2027-01-02',
      openingBalance: 1200,
      closingBalance: 1300,
      credits: 100,
      debits: 0,
      transactionCount: 1,
    });
    // A range that starts before the month's first movement opens with the month's opening balance.
    expect(dailyBalancesOf([nov], '2026-11-01', '2026-11-03', 9999).map((r) => r.openingBalance)).toEqual([
      1000, 1000, 1000,
    ]);
  });

  it('carries the latest balance over a range after the last movement (no month document)', () => {
    expect(dailyBalancesOf([undefined, undefined], '2027-03-30', '2027-04-01', 4200)).toEqual(
      ['2027-03-30', '2027-03-31', '2027-04-01'].map((date) => ({
        date,
        openingBalance: 4200,
        closingBalance: 4200,
        credits: 0,
        debits: 0,
        transactionCount: 0,
      })),
    );
    expect(dailyBalancesOf([], '2027-04-02', '2027-04-01', 4200)).toEqual([]);
  });
});
