import { runAuth } from '../profiles/auth.js';
import { runBoundaries } from '../profiles/boundaries.js';
import { runEnforcement } from '../profiles/enforcement.js';
import { runFuzz } from '../profiles/fuzz.js';
import { runLifecycle } from '../profiles/lifecycle.js';
import { runNegative } from '../profiles/negative.js';
import { runProtocol } from '../profiles/protocol.js';
import { runReplay } from '../profiles/replay.js';
import { runRules } from '../profiles/rules.js';
import { runStateful } from '../profiles/stateful.js';
import type { ServerProfile } from '../report/results.js';
import type { ProfileContext } from './context.js';
import type { ProfileProgress } from './options.js';
import { runPreflight } from './preflight.js';

/** What runs each profile: adding a profile is adding an entry here and in `serverProfiles`. */
const profileRunners: Record<ServerProfile, (context: ProfileContext) => Promise<void>> = {
  replay: runReplay,
  lifecycle: runLifecycle,
  negative: runNegative,
  enforcement: runEnforcement,
  boundaries: runBoundaries,
  rules: runRules,
  stateful: runStateful,
  auth: runAuth,
  protocol: runProtocol,
  fuzz: (context) => runFuzz(context, context.fuzz),
};

/** How the profiles of a run are run. */
export interface ProfileRunSettings {
  readonly profiles: readonly ServerProfile[];
  /** When the run's time limit passes (epoch ms), if it has one. */
  readonly deadline: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly onProgress: ((progress: ProfileProgress) => void) | undefined;
}

/** Records every profile from `from` on as skipped, with the reason. */
function skipFrom(context: ProfileContext, profiles: readonly ServerProfile[], why: string): void {
  for (const profile of profiles) {
    context.log.add({
      profile,
      operation: '-',
      case: 'run',
      check: 'profile ran',
      outcome: 'skip',
      detail: why,
    });
  }
}

/** Runs one profile within the time left; `false` when the time ran out first. */
function withinTime(run: Promise<void>, left: number | undefined): Promise<boolean> {
  if (left === undefined) return run.then(() => true);
  return Promise.race([
    run.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), left).unref()),
  ]);
}

/**
 * Runs the preflight, then each profile in order, reporting progress. When the preflight is
 * refused, every profile is skipped with its reason; when the time limit passes, the profile
 * under way stops being waited for and the rest are skipped. Resolves with how many results to
 * report: those after a profile cut short are dropped (it goes on in the background).
 *
 * @example
 * ```ts
 * const reported = await runProfiles(context, { profiles: ['replay'], deadline: undefined, timeoutMs: undefined, onProgress: undefined });
 * ```
 */
export async function runProfiles(
  context: ProfileContext,
  settings: ProfileRunSettings,
): Promise<number | undefined> {
  const { log } = context;
  const { profiles, deadline, timeoutMs } = settings;
  const preflight = await runPreflight(context);
  if (!preflight.ok) {
    skipFrom(context, profiles, `not run: ${preflight.why}`);
    return undefined;
  }
  const timeUp = `not run: the run's time limit of ${timeoutMs} ms passed`;
  for (const [index, profile] of profiles.entries()) {
    const before = log.results.length;
    // Evidence belongs to the exchange a check is about: none carries over between profiles.
    log.about(undefined);
    const started = Date.now();
    const left = deadline === undefined ? undefined : deadline - started;
    if (left !== undefined && left <= 0) {
      skipFrom(context, profiles.slice(index), timeUp);
      return undefined;
    }
    if (!(await withinTime(profileRunners[profile](context), left))) {
      log.add({
        profile,
        operation: '-',
        case: 'run',
        check: "the profile finished within the run's time limit",
        outcome: 'fail',
        detail: `the run's time limit of ${timeoutMs} ms passed during ${profile}; the report holds what was checked until then`,
      });
      skipFrom(context, profiles.slice(index + 1), timeUp);
      return log.results.length;
    }
    const results = log.results.slice(before);
    settings.onProgress?.({
      profile,
      checks: results.length,
      failed: results.filter((r) => r.outcome === 'fail').length,
      durationMs: Date.now() - started,
    });
  }
  return undefined;
}
