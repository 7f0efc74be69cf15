import { KeptCopies } from './kept-copies';

describe('KeptCopies', () => {
  it('keeps the most recently used copies up to its capacity, and forgets on request', () => {
    const kept = new KeptCopies<number>(2);
    kept.set('a', 1);
    kept.set('b', 2);
    expect(kept.get('a')).toBe(1); // a is now the most recently used
    kept.set('c', 3); // b goes
    expect([kept.get('a'), kept.get('b'), kept.get('c')]).toEqual([1, undefined, 3]);
    kept.set('a', 10);
    expect(kept.get('a')).toBe(10);
    kept.forget('a');
    expect(kept.get('a')).toBeUndefined();
  });
});
