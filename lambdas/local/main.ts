// `npm start`: the whole service on this machine, on real engines. Starts DynamoDB Local and SES local (or uses the
// SES_ENDPOINT given), creates the table from the shared key schema, loads the seed news, serves the HTTP app, runs
// the schedules, and prints its URLs. With DATA_DIR, queued work, schedules and generated secrets survive a restart.
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Server as HttpServer } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { startEngines, assertPortFree, EngineStartError, type RunningEngines } from './engines.js';
import { loadConfigOver, loadLocalRuntimeConfig, ConfigError } from '../config.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';
import { seedDigestPath, seedSourceUrl } from './seed.js';
import { lambdaNodeMajor, lambdaRuntimeName } from '../../infra/node-runtime.js';
import { localSecrets } from './local-secrets.js';

/** How long a stop waits for chunks being sent; those still unfinished come back after their visibility timeout. */
const stopGraceMs = 10_000;

async function main(): Promise<void> {
  const local = loadLocalRuntimeConfig();
  const { HOST: host, PORT: port } = local;
  const dataDir = local.DATA_DIR ? resolve(local.DATA_DIR) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Generated when not given; kept in DATA_DIR so that links already mailed keep working after a restart.
  const secrets = localSecrets(process.env, dataDir);

  let engines: RunningEngines | undefined;
  let server: ServerType | undefined;
  let runtime: LocalRuntime | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await runtime?.stop(stopGraceMs);
    await new Promise<void>((done) => {
      if (!server) return done();
      server.close(() => done());
      // A client that keeps polling (the editor console's progress) would hold its keep-alive connection open for
      // good; requests under way get a moment to be answered.
      if (server instanceof HttpServer) {
        const http = server;
        http.closeIdleConnections();
        setTimeout(() => http.closeAllConnections(), 1000).unref();
      }
    });
    await engines?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    await assertPortFree(port, host, 'The HTTP API (PORT)');
    engines = await startEngines({
      dataDir,
      dynamoPort: local.DYNAMO_PORT,
      sesPort: local.SES_PORT,
      startTimeoutMs: local.ENGINE_START_TIMEOUT_MS,
      sesEndpoint: local.SES_ENDPOINT, // an SES local started separately keeps its record of what was sent across restarts
    });
    // The environment wins over these local defaults; the engines' endpoints are always the ones just started.
    const config = loadConfigOver(
      {
        PUBLIC_BASE_URL: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        EDITOR_TOKEN: secrets.editorToken,
        SIGNING_SECRET: secrets.signingSecret,
        ALLOW_LOOPBACK_SOURCES: 'true',
      },
      { DYNAMO_ENDPOINT: engines.dynamoEndpoint, SES_ENDPOINT: engines.sesEndpoint },
    );
    const publicBaseUrl = config.PUBLIC_BASE_URL;
    const editorToken = config.EDITOR_TOKEN;
    runtime = await createLocalRuntime(config, { faultKill: local.FAULT_KILL_AT });
    const seed = await runtime.importDigest(await readFile(seedDigestPath, 'utf8'), seedSourceUrl);
    server = await new Promise<ServerType>((ready, fail) => {
      const s = serve({ fetch: runtime!.http.fetch, hostname: host, port }, () => ready(s));
      s.once('error', fail);
    });
    runtime.startSchedules();
    console.log(`API: ${publicBaseUrl}`);
    console.log(`Inbox: ${engines.sesEndpoint}`);
    console.log(`Editor token: ${editorToken}`);
    console.log(`Site: ${publicBaseUrl}/`);
    console.log(`Editor console: ${publicBaseUrl}/editor`);
    console.log(`Feeds: ${publicBaseUrl}/feeds`);
    const otherMajor = Number(process.versions.node.split('.')[0]) !== lambdaNodeMajor;
    const hint = otherMajor ? '; not its major: `npm ci` installs it, `npm start` runs on it' : '';
    console.log(`Node: ${process.version} (the Lambdas' runtime: ${lambdaRuntimeName}${hint})`);
    console.error(
      `(seed: ${seed.counts.new} new, ${seed.counts.updated} updated, ${seed.counts.unchanged} unchanged; ` +
        `DynamoDB Local ${engines.dynamoEndpoint}${dataDir ? `, data in ${dataDir}` : ', in memory'}; Ctrl-C stops everything)`,
    );
  } catch (error) {
    const known = error instanceof EngineStartError || error instanceof ConfigError;
    console.error(known ? (error as Error).message : `Could not start: ${(error as Error).message}`);
    await stop(1);
  }
}

await main().catch((error: Error) => {
  // Reached only for a mistake before anything started (e.g. PORT not a number): one line, no stack.
  console.error(error.message);
  process.exit(1);
});
