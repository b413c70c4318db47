/**
 * Job lock and stalled-job check of the monitor's BullMQ workers. A replica killed mid-job leaves its
 * job locked until the lock expires; BullMQ's defaults (30 s + 30 s) made another replica take it over
 * 60-100 s later. With these, within their sum (~25 s); locks are renewed while a job runs. A claimed
 * poll's lease (src/poller/poll-worker.ts, POLL_LEASE_MS) is their sum, so a killed replica's polls
 * come back as soon as its jobs do.
 */
export const STALLED_LOCK_MS = 15_000;
export const STALLED_CHECK_MS = 10_000;
