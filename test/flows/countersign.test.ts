import { decide } from '../../core/src/flows/countersign';

/** Every count of up to 8 handlers, against the rule written out longhand. */
describe('countersign decision', () => {
  const cases: { total: number; agreed: number; rejected: number }[] = [];
  for (let total = 1; total <= 8; total++) for (let agreed = 0; agreed <= total; agreed++) for (let rejected = 0; agreed + rejected <= total; rejected++) cases.push({ total, agreed, rejected });

  it('any: the first decision decides', () => {
    for (const c of cases) {
      const expected = c.agreed > 0 ? 'approved' : c.rejected > 0 ? 'rejected' : 'pending';
      expect([c, decide('any', c)]).toEqual([c, expected]);
    }
  });

  it('all and sequential: one reject rejects, everyone agreeing approves', () => {
    for (const mode of ['all', 'sequential'] as const) {
      for (const c of cases) {
        const expected = c.rejected > 0 ? 'rejected' : c.agreed === c.total ? 'approved' : 'pending';
        expect([mode, c, decide(mode, c)]).toEqual([mode, c, expected]);
      }
    }
  });

  it('ratio: reaching the share approves (ties included); when it can no longer be reached, rejected', () => {
    for (const percent of [1, 33, 50, 51, 66, 67, 75, 100]) {
      for (const c of cases) {
        const share = (x: number) => x / c.total >= percent / 100 - 1e-12;
        const expected = share(c.agreed) ? 'approved' : !share(c.total - c.rejected) ? 'rejected' : 'pending';
        expect([percent, c, decide('ratio', c, percent)]).toEqual([percent, c, expected]);
      }
    }
  });

  it('half (半数通过): 2 of 4 approves, 2 rejects of 4 with 2 pending waits, 3 rejects of 4 rejects', () => {
    expect(decide('ratio', { total: 4, agreed: 2, rejected: 2 }, 50)).toBe('approved');
    expect(decide('ratio', { total: 4, agreed: 0, rejected: 2 }, 50)).toBe('pending');
    expect(decide('ratio', { total: 4, agreed: 1, rejected: 3 }, 50)).toBe('rejected');
    expect(decide('ratio', { total: 3, agreed: 1, rejected: 1 }, 50)).toBe('pending');
    expect(decide('ratio', { total: 3, agreed: 2, rejected: 1 }, 50)).toBe('approved');
  });

  it('a node with no handlers is approved', () => {
    for (const mode of ['any', 'all', 'ratio', 'sequential'] as const) expect(decide(mode, { total: 0, agreed: 0, rejected: 0 }, 50)).toBe('approved');
  });
});
