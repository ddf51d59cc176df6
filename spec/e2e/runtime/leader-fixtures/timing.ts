// Timings shared by leader-process.ts and the test that runs it.

/** The leader election of the test: lease 4 s, renew deadline 3 s, retry 0.5 s. */
export const LEADER_TIMING = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
/** How long one reconcile works, and the requeue after it. */
export const RECONCILE_MS = 40;
export const REQUEUE_MS = 150;
