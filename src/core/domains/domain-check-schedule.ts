// Checks every sending domain again every MAILROOM_DOMAIN_CHECK_HOURS, so a record deleted at the
// DNS provider shows up as "failing" (and DKIM signing stops) without anyone pressing "Check now".
// Each wake-up checks the domains whose last check is older than the interval, one at a time.
import { HOUR_MS, PeriodicTask } from '../periodic-task.ts';
import type { Logger } from '../ports.ts';
import type { DomainService } from './domain-service.ts';

export type DomainCheckSchedule = PeriodicTask<{ checked: number; failed: number }>;

export function createDomainCheckSchedule(deps: { service: DomainService; logger: Logger }, options: { intervalHours: number }): DomainCheckSchedule {
  const everyMs = options.intervalHours * HOUR_MS;
  return new PeriodicTask({
    name: 'sending domain checks',
    everyMs,
    logger: deps.logger,
    run: (shouldStop) => deps.service.checkDue(everyMs, shouldStop),
    fallback: { checked: 0, failed: 0 },
    worthLogging: (outcome) => outcome.checked > 0 || outcome.failed > 0,
  });
}
