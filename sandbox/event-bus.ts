/**
 * In-process stand-in for an EventBridge bus whose rules target Lambda functions invoked
 * asynchronously.
 *
 * What it keeps from the real thing: every rule whose pattern matches gets its own copy of the
 * event (a target can never see another target's mutations); deliveries run concurrently and
 * never inside `put`; a target that throws is retried like Lambda's asynchronous invocation
 * (2 retries by default) and then lands in a dead-letter list, so no event is lost silently.
 * What it drops: real delays (Lambda waits about 1 and 2 minutes between attempts; here the
 * delay is `retryDelayMs`, default 0) and EventBridge's own 24-hour delivery retries, which
 * only matter when Lambda itself is unavailable.
 */

import { randomUUID } from 'node:crypto';
import { type EventPattern, matchesPattern, validatePattern } from './event-pattern';

/** An EventBridge envelope (`version`, `id`, `detail-type`, `source`, `detail`, ...). */
export type BusEvent = Readonly<Record<string, unknown>>;

/** A rule target: the handler of a Lambda function invoked asynchronously. */
export type BusTarget = (event: BusEvent, invocation: BusInvocation) => Promise<unknown>;

/** What Lambda tells the function about an asynchronous invocation. */
export interface BusInvocation {
  /** Same for every retry of one delivery, as Lambda keeps the request id across async retries. */
  readonly requestId: string;
  /** 1 for the first invocation, 2 for the first retry, ... */
  readonly attempt: number;
}

/** Options of {@link SandboxEventBus.addRule}. */
export interface SandboxRuleOptions {
  /** Rule name, unique on the bus (EventBridge: 1-64 of `[.\-_A-Za-z0-9]`). */
  readonly name: string;
  /** EventBridge event pattern; validated when the rule is added. */
  readonly pattern: EventPattern;
  readonly target: BusTarget;
  /**
   * How many times a failed invocation is retried before the event is dead-lettered.
   * @default 2 (Lambda asynchronous invocation)
   */
  readonly retryAttempts?: number;
  /**
   * Real milliseconds to wait before each retry.
   * @default 0
   */
  readonly retryDelayMs?: number;
}

/** One invocation of one target. */
export interface DeliveryRecord {
  readonly rule: string;
  readonly eventId: string;
  /** 1 for the first invocation, 2 for the first retry, ... */
  readonly attempt: number;
  readonly ok: boolean;
  /** Message of the error the target threw (only when `ok` is false). */
  readonly error?: string;
}

/** An event whose target kept failing after every retry. */
export interface DeadLetter {
  readonly rule: string;
  readonly eventId: string;
  readonly event: BusEvent;
  /** Message of the last error. */
  readonly error: string;
  /** Invocations made, including the first. */
  readonly attempts: number;
}

/** What {@link SandboxEventBus.put} did with one event. */
export interface PutEntryResult {
  readonly eventId: string;
  /** Names of the rules whose pattern matched (their targets are being invoked). */
  readonly matchedRules: readonly string[];
}

interface Rule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly target: BusTarget;
  readonly retryAttempts: number;
  readonly retryDelayMs: number;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** An in-process EventBridge bus with Lambda-like asynchronous targets. See the module comment. */
export class SandboxEventBus {
  private readonly rules = new Map<string, Rule>();
  private readonly inFlightDeliveries = new Set<Promise<void>>();
  private readonly deliveryLog: DeliveryRecord[] = [];
  private readonly deadLetterLog: DeadLetter[] = [];
  private unmatchedCount = 0;

  /**
   * Adds a rule. Throws if the name is taken or invalid, the pattern is invalid
   * (`InvalidEventPatternError`), or the retry settings are out of range.
   */
  addRule(options: SandboxRuleOptions): void {
    const { name, pattern, target } = options;
    if (!RULE_NAME.test(name))
      throw new Error(`Rule name "${name}" must be 1-64 characters of [.-_A-Za-z0-9]`);
    if (this.rules.has(name)) throw new Error(`Rule "${name}" already exists on this bus`);
    validatePattern(pattern);
    const retryAttempts = options.retryAttempts ?? 2;
    const retryDelayMs = options.retryDelayMs ?? 0;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0) {
      throw new Error(`retryAttempts of rule "${name}" must be a non-negative integer, got ${retryAttempts}`);
    }
    if (!(retryDelayMs >= 0)) {
      throw new Error(`retryDelayMs of rule "${name}" must be >= 0, got ${retryDelayMs}`);
    }
    this.rules.set(name, { name, pattern, target, retryAttempts, retryDelayMs });
  }

  /** Removes a rule; deliveries already started finish. Returns whether it existed. */
  removeRule(name: string): boolean {
    return this.rules.delete(name);
  }

  /**
   * Routes each event to the target of every matching rule. Returns at once: targets run
   * afterwards, concurrently. An event without an `id` gets one, as PutEvents assigns it.
   */
  put(events: BusEvent | readonly BusEvent[]): PutEntryResult[] {
    const list: readonly BusEvent[] = Array.isArray(events) ? events : [events as BusEvent];
    // Reject the whole batch before routing anything, so a bad entry never half-delivers a batch.
    for (const input of list) {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new TypeError('Each event must be a JSON object (an EventBridge envelope)');
      }
    }
    return list.map((input) => {
      const event: BusEvent = typeof input.id === 'string' ? input : { ...input, id: randomUUID() };
      const eventId = String(event.id);
      const matchedRules: string[] = [];
      for (const rule of this.rules.values()) {
        if (matchesPattern(rule.pattern, event)) {
          matchedRules.push(rule.name);
          this.track(this.deliver(rule, event, eventId));
        }
      }
      if (matchedRules.length === 0) this.unmatchedCount++;
      return { eventId, matchedRules };
    });
  }

  /** Resolves when no delivery is in flight, including retries and events put by targets meanwhile. */
  async drain(): Promise<void> {
    while (this.inFlightDeliveries.size > 0) {
      await Promise.allSettled([...this.inFlightDeliveries]);
    }
  }

  /** Every invocation so far, in completion order. */
  get deliveries(): readonly DeliveryRecord[] {
    return this.deliveryLog;
  }

  /** Invocations of one rule. */
  deliveriesFor(ruleName: string): readonly DeliveryRecord[] {
    return this.deliveryLog.filter((d) => d.rule === ruleName);
  }

  /** Events whose target still failed after its retries. */
  get deadLetters(): readonly DeadLetter[] {
    return this.deadLetterLog;
  }

  /** How many events matched no rule. */
  get unmatched(): number {
    return this.unmatchedCount;
  }

  /** Deliveries (with their pending retries) not yet finished. */
  get inFlight(): number {
    return this.inFlightDeliveries.size;
  }

  private track(delivery: Promise<void>): void {
    this.inFlightDeliveries.add(delivery);
    void delivery.finally(() => this.inFlightDeliveries.delete(delivery));
  }

  private async deliver(rule: Rule, event: BusEvent, eventId: string): Promise<void> {
    // Never run a target inside put(): EventBridge delivers after PutEvents has returned.
    await Promise.resolve();
    const maxAttempts = rule.retryAttempts + 1;
    const requestId = randomUUID();
    let lastError = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1 && rule.retryDelayMs > 0) await sleep(rule.retryDelayMs);
      try {
        // Lambda receives a serialized payload: each invocation gets a fresh copy.
        await rule.target(structuredClone(event), { requestId, attempt });
        this.deliveryLog.push({ rule: rule.name, eventId, attempt, ok: true });
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        this.deliveryLog.push({ rule: rule.name, eventId, attempt, ok: false, error: lastError });
      }
    }
    this.deadLetterLog.push({
      rule: rule.name,
      eventId,
      event: structuredClone(event),
      error: lastError,
      attempts: maxAttempts,
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
