/**
 * Runs a check and prints its output only when it fails: `npm test` shows results and real
 * problems, not a tool's banners, adverts or deprecation boxes. On success it prints one line.
 *
 *   tsx scripts/quietly.ts "copies: no block written twice" -- jscpd
 */
import { spawnSync } from 'node:child_process';

const [success, separator, command, ...args] = process.argv.slice(2);
if (!success || separator !== '--' || !command) {
  console.error('usage: tsx scripts/quietly.ts "<line to print on success>" -- <command> [args…]');
  process.exit(2);
}
const result = spawnSync(command, args, { encoding: 'utf8', shell: false });
if (result.error) {
  console.error(`${command}: ${result.error.message}`);
  process.exit(1);
}
if (result.status === 0) {
  console.log(success);
} else {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
