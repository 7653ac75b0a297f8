import { fromDbDateTime, toDbDateTime } from '../../core/src/data/codec';

describe('date-times between the databases and the API', () => {
  it('reads every rendering the databases give (plain, packed into JSON by SQLite or MySQL/MariaDB) as the same ISO instant', () => {
    const iso = '2026-11-24T07:45:19.373Z';
    expect(toDbDateTime(iso)).toBe('2026-11-24 07:45:19.373');
    for (const stored of ['2026-11-24 07:45:19.373', '2026-11-24 07:45:19.373000', '2026-11-24T07:45:19.373Z', new Date(iso)]) expect(fromDbDateTime(stored)).toBe(iso);
    expect(fromDbDateTime('2026-11-24 07:45:19')).toBe('2026-11-24T07:45:19.000Z');
    expect(fromDbDateTime('2026-11-24 07:45:19.5')).toBe('2026-11-24T07:45:19.500Z');
    expect(fromDbDateTime(null)).toBeNull();
  });
});
