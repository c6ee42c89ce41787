#!/usr/bin/env node
/**
 * The `upvest-webhooks` command of the published package: the webhook commands of src/cli, and
 * `conformance`, so a consumer can run the contract suite without this repository. It sits above
 * both, the one file that may import each: src/ never imports the suite, and the suite imports
 * only the package's public entries.
 *   npx upvest-webhooks list
 *   npx upvest-webhooks conformance --base-url https://sandbox.upvest.co
 */
import { runCli } from '../src/cli/main.js';
import { main as conformance } from '../conformance/cli/main.js';

const [command, ...rest] = process.argv.slice(2);
process.exitCode =
  command === 'conformance'
    ? await conformance(rest)
    : await runCli(process.argv.slice(2), {
        env: process.env,
        out: (text) => console.log(text),
        err: (text) => console.error(text),
      });
