// Local runtime settings: the queue's redelivery window against the sender's in-doubt bound, and the secrets kept in
// DATA_DIR.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../lambdas/config.js';
import { localSecrets } from '../../lambdas/local/local-secrets.js';

describe('local queue redelivery window', () => {
  it('defaults outlast the default in-doubt bound', () => {
    const config = loadConfig({});
    expect(config.LOCAL_QUEUE_VISIBILITY_SECONDS * config.LOCAL_QUEUE_MAX_RECEIVE_COUNT).toBeGreaterThan(config.SEND_IN_DOUBT_AFTER_SECONDS);
  });

  it('a window no longer than the in-doubt bound is refused, naming both values', () => {
    const load = () => loadConfig({ LOCAL_QUEUE_VISIBILITY_SECONDS: '60', LOCAL_QUEUE_MAX_RECEIVE_COUNT: '10', SEND_IN_DOUBT_AFTER_SECONDS: '900' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/60 × 10 = 600 s\) must be longer than SEND_IN_DOUBT_AFTER_SECONDS \(900 s\)/);
  });

  it('is not checked where SQS is the queue (AWS)', () => {
    expect(() => loadConfig({ SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q', SEND_IN_DOUBT_AFTER_SECONDS: '5000' })).not.toThrow();
  });
});

describe('local secrets', () => {
  it('with DATA_DIR, generated ones are kept owner-only and reused; given ones win and are not written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    try {
      const first = localSecrets({}, dir);
      expect(first.signingSecret.length).toBeGreaterThanOrEqual(32);
      expect(statSync(join(dir, 'local-secrets.json')).mode & 0o777).toBe(0o600);
      expect(localSecrets({}, dir)).toEqual(first);
      expect(localSecrets({ EDITOR_TOKEN: 'given-token-0123456789' }, dir)).toEqual({ ...first, editorToken: 'given-token-0123456789' });
      expect(localSecrets({}, dir)).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without DATA_DIR, new ones each start', () => {
    expect(localSecrets({}, undefined)).not.toEqual(localSecrets({}, undefined));
  });
});
