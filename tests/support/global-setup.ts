import type { TestProject } from 'vitest/node';
import { startEngines, type RunningEngines } from '../../lambdas/local/engines.js';

let engines: RunningEngines | undefined;

export async function setup(project: TestProject) {
  engines = await startEngines({ startTimeoutMs: 60_000 });
  project.provide('dynamoEndpoint', engines.dynamoEndpoint);
  project.provide('sesEndpoint', engines.sesEndpoint);
}

export async function teardown() {
  await engines?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}
