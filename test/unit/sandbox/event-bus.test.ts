import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildEniFailurePattern } from '../../../functions/core/catalog';
import { type BusEvent, SandboxEventBus } from '../../../sandbox/event-bus';
import { InvalidEventPatternError } from '../../../sandbox/event-pattern';

const EVENTS_DIR = resolve(__dirname, '../../fixtures/events');

function loadEvent(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

const ECS_STOPPED = { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'] };

function event(id: string, extra: Record<string, unknown> = {}): BusEvent {
  return { id, source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: {}, ...extra };
}

describe('SandboxEventBus', () => {
  it('delivers the real ENI failure fixtures to a rule built from the catalog and counts the rest unmatched', async () => {
    const bus = new SandboxEventBus();
    const received: string[] = [];
    bus.addRule({
      name: 'eni-failures',
      pattern: buildEniFailurePattern(),
      target: async (e) => {
        received.push(String(e.id));
      },
    });
    const standalone = loadEvent('eni-timeout-standalone');
    const service = loadEvent('eni-timeout-service-task');
    const result = bus.put([standalone, service]);
    expect(result.map((r) => r.matchedRules)).toEqual([['eni-failures'], []]);
    await bus.drain();
    expect(received).toEqual([standalone.id]);
    expect(bus.unmatched).toBe(1);
    expect(bus.deliveries).toEqual([{ rule: 'eni-failures', eventId: standalone.id, attempt: 1, ok: true }]);
  });

  it('never invokes a target synchronously inside put', async () => {
    const bus = new SandboxEventBus();
    let called = false;
    bus.addRule({
      name: 'r',
      pattern: ECS_STOPPED,
      target: async () => {
        called = true;
      },
    });
    bus.put(event('e1'));
    expect(called).toBe(false);
    expect(bus.inFlight).toBe(1);
    await bus.drain();
    expect(called).toBe(true);
    expect(bus.inFlight).toBe(0);
  });

  it('fans one event out to every matching rule, each with its own copy', async () => {
    const bus = new SandboxEventBus();
    const seen: Array<[string, unknown]> = [];
    bus.addRule({
      name: 'mutator',
      pattern: ECS_STOPPED,
      target: async (e) => {
        (e.detail as Record<string, unknown>).touched = true;
        seen.push(['mutator', e.detail]);
      },
    });
    bus.addRule({
      name: 'reader',
      pattern: { source: ['aws.ecs'] },
      target: async (e) => {
        await new Promise((r) => setImmediate(r));
        seen.push(['reader', e.detail]);
      },
    });
    const original = event('e1');
    expect(bus.put(original)[0]?.matchedRules).toEqual(['mutator', 'reader']);
    await bus.drain();
    expect(seen).toEqual([
      ['mutator', { touched: true }],
      ['reader', {}],
    ]);
    expect(original.detail).toEqual({});
  });

  it('runs deliveries concurrently', async () => {
    const bus = new SandboxEventBus();
    let active = 0;
    let maxActive = 0;
    bus.addRule({
      name: 'slow',
      pattern: ECS_STOPPED,
      target: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      },
    });
    bus.put([event('a'), event('b'), event('c')]);
    await bus.drain();
    expect(maxActive).toBe(3);
  });

  it('retries a failing target twice by default, then dead-letters the event with the last error', async () => {
    const bus = new SandboxEventBus();
    let calls = 0;
    bus.addRule({
      name: 'broken',
      pattern: ECS_STOPPED,
      target: async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    });
    bus.put(event('e1'));
    await bus.drain();
    expect(calls).toBe(3);
    expect(bus.deliveries.map((d) => [d.attempt, d.ok, d.error])).toEqual([
      [1, false, 'boom 1'],
      [2, false, 'boom 2'],
      [3, false, 'boom 3'],
    ]);
    expect(bus.deadLetters).toEqual([
      { rule: 'broken', eventId: 'e1', event: event('e1'), error: 'boom 3', attempts: 3 },
    ]);
  });

  it('stops retrying once the target succeeds, honouring retryAttempts and retryDelayMs', async () => {
    const bus = new SandboxEventBus();
    let calls = 0;
    bus.addRule({
      name: 'flaky',
      pattern: ECS_STOPPED,
      retryAttempts: 5,
      retryDelayMs: 1,
      target: async () => {
        calls++;
        if (calls < 4) throw new Error('not yet');
      },
    });
    bus.put(event('e1'));
    await bus.drain();
    expect(calls).toBe(4);
    expect(bus.deliveriesFor('flaky').map((d) => d.ok)).toEqual([false, false, false, true]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('with retryAttempts 0 dead-letters after one failure, also for synchronous throws and non-Error values', async () => {
    const bus = new SandboxEventBus();
    bus.addRule({
      name: 'sync-throw',
      pattern: ECS_STOPPED,
      retryAttempts: 0,
      target: () => {
        throw 'plain string';
      },
    });
    bus.put(event('e1'));
    await bus.drain();
    expect(bus.deadLetters).toMatchObject([{ rule: 'sync-throw', error: 'plain string', attempts: 1 }]);
  });

  it('drain also waits for events that targets put on the bus', async () => {
    const bus = new SandboxEventBus();
    const order: string[] = [];
    bus.addRule({
      name: 'first',
      pattern: { source: ['aws.ecs'] },
      target: async (e) => {
        order.push(`ecs:${String(e.id)}`);
        await new Promise((r) => setTimeout(r, 2));
        bus.put({
          id: 'follow-up',
          source: 'sandbox.remediator',
          'detail-type': 'TaskRelaunched',
          detail: {},
        });
      },
    });
    bus.addRule({
      name: 'second',
      pattern: { source: ['sandbox.remediator'] },
      target: async (e) => {
        order.push(`relaunch:${String(e.id)}`);
      },
    });
    bus.put(event('e1'));
    await bus.drain();
    expect(order).toEqual(['ecs:e1', 'relaunch:follow-up']);
  });

  it('assigns an id to events put without one', async () => {
    const bus = new SandboxEventBus();
    const [entry] = bus.put({ source: 'x', 'detail-type': 'y', detail: {} });
    expect(entry?.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects invalid patterns, duplicate or invalid names, bad retry settings and non-object events', () => {
    const bus = new SandboxEventBus();
    const target = async () => undefined;
    expect(() => bus.addRule({ name: 'bad', pattern: { a: [{ wildcard: '**' }] }, target })).toThrow(
      InvalidEventPatternError,
    );
    bus.addRule({ name: 'ok', pattern: ECS_STOPPED, target });
    expect(() => bus.addRule({ name: 'ok', pattern: ECS_STOPPED, target })).toThrow(/already exists/);
    expect(() => bus.addRule({ name: 'bad name!', pattern: ECS_STOPPED, target })).toThrow(/Rule name/);
    expect(() => bus.addRule({ name: 'neg', pattern: ECS_STOPPED, target, retryAttempts: -1 })).toThrow(
      /retryAttempts/,
    );
    expect(() => bus.put([event('a'), null as unknown as BusEvent])).toThrow(TypeError);
    expect(bus.inFlight).toBe(0);
    expect(bus.removeRule('ok')).toBe(true);
    expect(bus.removeRule('ok')).toBe(false);
  });
});
