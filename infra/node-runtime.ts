// The Node.js major the Lambdas run on, and so the one every npm script runs on (start, test, bench, synth, the
// bundling): `npm ci` installs that Node from the npm registry into node_modules/.bin (the node-<os>-<cpu> packages in
// package.json's optionalDependencies), and `npm run` puts that folder first on the scripts' PATH. No CDK import here:
// the local runtime and the bench read it too. To move to another major, change it here and, in package.json, `engines`
// and those packages' version; tests/infra/node-runtime.test.ts fails until all three agree.
export const lambdaNodeMajor = 22;

/** The Lambda runtime identifier: nodejs22.x. */
export const lambdaRuntimeName = `nodejs${lambdaNodeMajor}.x`;

/** esbuild's target for code that runs on that runtime: node22. */
export const lambdaEsbuildTarget = `node${lambdaNodeMajor}`;
