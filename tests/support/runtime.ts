// A whole local runtime (the app, the handlers, the stand-ins) on the shared engines, with its own table.
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../lambdas/config.js';
import { createLocalRuntime, type LocalRuntimeOptions } from '../../lambdas/local/runtime.js';

export const testEditorToken = 'test-editor-token-0123456789-abcdefghij';

export async function testRuntime(env: Record<string, string> = {}, options: LocalRuntimeOptions = {}) {
  const config = loadConfig({
    TABLE_NAME: `rt-${randomUUID().slice(0, 8)}`,
    DYNAMO_ENDPOINT: inject('dynamoEndpoint'),
    SES_ENDPOINT: inject('sesEndpoint'),
    PUBLIC_BASE_URL: 'https://news.example.org',
    EDITOR_TOKEN: testEditorToken,
    SIGNING_SECRET: 'test-signing-secret-0123456789abcdef0123',
    ALLOW_LOOPBACK_SOURCES: 'true',
    FETCH_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'WARN',
    ...env,
  });
  return createLocalRuntime(config, options);
}

export const editorHeaders = { authorization: `Bearer ${testEditorToken}`, 'content-type': 'application/json' };
