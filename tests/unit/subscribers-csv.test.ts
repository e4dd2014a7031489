// The subscribers CSV: export cells a spreadsheet would run as formulas are neutralised; the import reads semicolons
// and country and topic names in either language.
import { describe, expect, it } from 'vitest';
import { csvCell, csvRows, subscribersCsv } from '../../lambdas/adapters/http/routes/subscriptions.js';

describe('subscribers CSV', () => {
  it('neutralises cells starting with = + - @ (and tab or carriage return), and quotes separators', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(['cl', 'pe'])).toBe('cl pe');
    expect(csvCell(undefined)).toBe('');
  });

  it('exports in the import’s columns, and reads its own export back', () => {
    const text = subscribersCsv([{ email: 'ana@example.org', countries: ['cl', 'pe'], topics: [], language: 'es', frequency: 'weekly', status: 'confirmed', consent: { imported: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } } }]);
    const [row] = csvRows(text);
    expect(row).toMatchObject({ email: 'ana@example.org', countries: ['cl', 'pe'], language: 'es', frequency: 'weekly', consent: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } });
  });

  it('reads semicolon-separated files, and names (either language, any accents) as well as codes', () => {
    const rows = csvRows(['email;countries;topics', 'a@example.org;"Perú, Mexico";Trade and investment promotion | clima y medio ambiente', 'b@example.org;cl co;'].join('\n'));
    expect(rows[0]).toMatchObject({ countries: ['pe', 'mx'], topics: ['trade-investment', 'climate-environment'] });
    expect(rows[1]).toMatchObject({ countries: ['cl', 'co'], topics: [] });
  });
});
