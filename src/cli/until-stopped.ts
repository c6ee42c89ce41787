/** Resolves on the first SIGINT or SIGTERM (or when `signal` aborts, for tests). */
export function untilStopped(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => () => {
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      resolve(reason);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.once('SIGINT', onInt).once('SIGTERM', onTerm);
    signal?.addEventListener('abort', stop('abort'), { once: true });
  });
}
