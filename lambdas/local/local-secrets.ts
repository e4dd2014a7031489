// The signing secret and editor token `npm start` generates when none is given. With DATA_DIR they are kept there
// (owner-only file) and reused, so links in emails already sent and the editor's token keep working after a restart;
// without DATA_DIR the data goes with the process, and so do they. Values from the environment always win and are
// never written down.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  signingSecret: string;
  editorToken: string;
}

const generate = (): LocalSecrets => ({ signingSecret: randomBytes(32).toString('base64url'), editorToken: randomBytes(18).toString('base64url') });

export function localSecrets(env: { SIGNING_SECRET?: string; EDITOR_TOKEN?: string }, dataDir: string | undefined): LocalSecrets {
  let kept = generate();
  if (dataDir) {
    const path = join(dataDir, 'local-secrets.json');
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalSecrets>;
      kept = { signingSecret: stored.signingSecret || kept.signingSecret, editorToken: stored.editorToken || kept.editorToken };
      chmodSync(path, 0o600); // tightened if someone loosened it
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path} is unreadable (${(error as Error).message}); delete it to generate new secrets.`);
    }
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(kept, null, 2) + '\n', { mode: 0o600 });
    renameSync(temporary, path);
  }
  return { signingSecret: env.SIGNING_SECRET ?? kept.signingSecret, editorToken: env.EDITOR_TOKEN ?? kept.editorToken };
}
