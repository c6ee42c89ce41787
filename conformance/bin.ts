#!/usr/bin/env node
/**
 * The `upvest-webhooks` command of the published package. Today it has one command,
 * `conformance`, so a consumer can run the contract suite without this repository:
 *   npx upvest-webhooks conformance --base-url https://sandbox.upvest.co
 */
import { main as conformance } from './cli.js';

const [command, ...rest] = process.argv.slice(2);
if (command === 'conformance') {
  process.exitCode = await conformance(rest);
} else {
  console.error(
    `usage: upvest-webhooks conformance [options]\nRun "upvest-webhooks conformance --help" for the options.`,
  );
  process.exitCode = command === undefined || command === '--help' ? 0 : 2;
}
