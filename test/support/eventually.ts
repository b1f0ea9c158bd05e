/**
 * Retries `probe` until it returns without throwing, for at most `timeoutMs`; then rethrows its
 * last error, so a failed expectation inside reads as the test's failure. For waiting on work the
 * bot does after it has acknowledged Slack, never for measuring time.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 5_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
