import { describe, expect, it } from 'vitest';
import { FactsCache } from '../../api/facts-cache.js';

describe('FactsCache', () => {
  const facts = (members: number) => ({ members, membersMarginPercent: 10 });

  it('keeps a unit’s facts until its TTL ends, per cycle and unit', () => {
    let now = 1_000;
    const cache = new FactsCache(60_000, 100, () => now);
    cache.set('C-2027', 'U001', facts(12));
    expect(cache.get('C-2027', 'U001')).toEqual(facts(12));
    expect(cache.get('C-2027', 'U002')).toBeUndefined();
    expect(cache.get('D-2027', 'U001')).toBeUndefined();
    now += 59_999;
    expect(cache.get('C-2027', 'U001')).toEqual(facts(12));
    now += 1;
    expect(cache.get('C-2027', 'U001')).toBeUndefined();
  });

  it('drops the least recently told unit past its size, and a unit told again moves to the end', () => {
    const cache = new FactsCache(60_000, 2, () => 0);
    cache.set('C', 'U1', facts(1));
    cache.set('C', 'U2', facts(2));
    cache.set('C', 'U1', facts(11));
    cache.set('C', 'U3', facts(3));
    expect(cache.get('C', 'U2')).toBeUndefined();
    expect(cache.get('C', 'U1')).toEqual(facts(11));
    expect(cache.get('C', 'U3')).toEqual(facts(3));
  });
});
