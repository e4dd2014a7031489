// The README documents every environment variable the service reads (lambdas/config.ts is the one place).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { envSchema, localRuntimeSchema } from '../../lambdas/config.js';

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('names every configuration variable', () => {
    const missing = [...Object.keys(envSchema.shape), ...Object.keys(localRuntimeSchema.shape)].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('opens with the two commands', () => {
    const firstBlock = readme.slice(0, readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstBlock).toContain('npm start');
    expect(firstBlock).toContain('npm test');
  });
});
