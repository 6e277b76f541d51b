import { Cron } from 'croner';
import { toError, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { enqueue } from './enqueue.ts';
import { claimScheduleTick } from './sql/tick.ts';

interface Schedule {
  name: string;
  cron: Cron;
  type: string;
  payload: unknown;
  timer?: NodeJS.Timeout;
}

// setTimeout's limit (~24.8 days); a later tick re-arms when this fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Recurring jobs from cron expressions (UTC). Every process arms a timer for each schedule's
 * next tick; at the tick each one tries to claim it (`claimScheduleTick`), and only the winner
 * enqueues the job, in the claim's transaction — so a tick runs once however many processes
 * run. Ticks missed while no process was up are not made up. The job's key is
 * `schedule:<name>`, so ticks do not pile up behind a job that has not started yet.
 */
export class Scheduler {
  #schedules = new Map<string, Schedule>();
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  add(name: string, pattern: string, type: string, payload: unknown): void {
    if (this.#schedules.has(name)) throw new Error(`a schedule named ${name} exists already`);
    const schedule: Schedule = { name, cron: new Cron(pattern, { timezone: 'UTC' }), type, payload };
    this.#schedules.set(name, schedule);
    if (!this.#stopped) this.#arm(schedule, this.clock.now());
  }

  start(): void {
    this.#stopped = false;
    for (const schedule of this.#schedules.values()) this.#arm(schedule, this.clock.now());
  }

  stop(): void {
    this.#stopped = true;
    for (const schedule of this.#schedules.values()) clearTimeout(schedule.timer);
  }

  #arm(schedule: Schedule, after: Date): void {
    const tick = schedule.cron.nextRun(after);
    if (!tick) return;
    this.#wait(schedule, tick);
  }

  #wait(schedule: Schedule, tick: Date): void {
    const delay = tick.getTime() - this.clock.now().getTime();
    schedule.timer = setTimeout(() => {
      if (this.#stopped) return;
      // A timer may fire a little early by the wall clock; the tick is the planned instant.
      if (tick.getTime() - this.clock.now().getTime() > 1_000) this.#wait(schedule, tick);
      else void this.#fire(schedule, tick);
    }, Math.min(Math.max(delay, 0), MAX_TIMER_MS));
  }

  async #fire(schedule: Schedule, tick: Date): Promise<void> {
    try {
      const won = await this.db.transaction(async (tx) => {
        if (!(await claimScheduleTick(tx, schedule.name, tick, this.clock.now()))) return false;
        await enqueue(tx, { type: schedule.type, payload: schedule.payload, runAt: tick, key: `schedule:${schedule.name}` });
        return true;
      });
      if (won) this.logger.debug({ schedule: schedule.name, tick }, 'recurring job enqueued');
    } catch (err) {
      this.logger.error({ err: toError(err), schedule: schedule.name, tick }, 'could not enqueue a recurring job');
    }
    if (!this.#stopped) this.#arm(schedule, new Date(Math.max(tick.getTime(), this.clock.now().getTime())));
  }
}
