// Cold-start smoke test of the real bundles: after `npx cdk synth` (with bundling), copy each Lambda's asset to a
// fresh directory outside the repo (as Lambda does with /var/task) and import it in a child process with the
// function's own env (placeholders for values CloudFormation fills in; the values the cold start would read from SSM
// or Secrets Manager given directly, so no network). It catches what assertions cannot: ESM/CommonJS interop, files the code reads at cold start that are
// not in the bundle, configuration the cold start refuses.
//
//   npx cdk synth && npx tsx infra/smoke-bundles.ts
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './constructs/news-function.js';

const out = join(repoRoot, 'cdk.out');
const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
let failures = 0;
for (const file of templates) {
  const template = JSON.parse(readFileSync(join(out, file), 'utf8')) as { Resources: Record<string, { Type: string; Properties: any }> };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const { FunctionName: name, Code, Handler, Environment } = resource.Properties;
    const asset = join(out, `asset.${String(Code.S3Key).replace(/\.zip$/, '')}`);
    if (!existsSync(join(asset, 'index.mjs'))) {
      console.log(`skip  ${name}: not bundled (synthesised with skipBundling?)`);
      continue;
    }
    const task = mkdtempSync(join(tmpdir(), 'lambda-task-'));
    cpSync(asset, task, { recursive: true });
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', LAMBDA_TASK_ROOT: task };
    for (const [key, value] of Object.entries((Environment?.Variables ?? {}) as Record<string, unknown>)) {
      // Read over the network at cold start in AWS: give the value itself, as the cold start would have it.
      const fetched = /^(.+)_PARAMETER$/.exec(key)?.[1] ?? /^(.+_SECRET)_ARN$/.exec(key)?.[1];
      if (fetched) {
        env[fetched] = 'placeholder-secret-of-at-least-32-characters';
        continue;
      }
      env[key] = typeof value === 'string' ? value : placeholder(key);
    }
    const exportName = String(Handler).split('.').pop();
    try {
      execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(task, 'index.mjs'))}); if (typeof m.${exportName} !== 'function') throw new Error('no export ${exportName}');`],
        { cwd: task, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
      );
      console.log(`ok    ${name}`);
    } catch (error) {
      failures++;
      const stderr = String((error as { stderr?: Buffer }).stderr ?? error).split('\n').filter((l) => l.trim() !== '');
      console.log(`FAIL  ${name}: ${stderr.slice(0, 6).join('\n      ')}`);
    } finally {
      rmSync(task, { recursive: true, force: true });
    }
  }
}
process.exit(failures ? 1 : 0);

function placeholder(key: string): string {
  if (key.endsWith('_URL')) return 'https://placeholder.example';
  if (key.endsWith('_ARN') || key.endsWith('_FUNCTION')) return 'arn:aws:lambda:us-east-1:123456789012:function:placeholder';
  return 'placeholder';
}
