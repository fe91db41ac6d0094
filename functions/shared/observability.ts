/**
 * Powertools singletons and the adapters from the core's ports (LogPort, MetricsSink) to them.
 * Built once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsSink } from '../core/ports';
import type { LogPort } from '../core/remediate';

export const SERVICE_NAME = 'eni-remediator';
export const METRICS_NAMESPACE = 'EniRemediator';

export function createLogger(serviceName = SERVICE_NAME): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(namespace = METRICS_NAMESPACE, serviceName = SERVICE_NAME): Metrics {
  return new Metrics({ namespace, serviceName });
}

/** MetricsSink on Powertools Metrics (EMF in the logs; no PutMetricData calls). */
export class PowertoolsMetricsSink implements MetricsSink {
  constructor(private readonly metrics: Metrics) {}

  count(name: string, value = 1, dimensions?: Record<string, string>): void {
    if (dimensions && Object.keys(dimensions).length > 0) {
      // The plain metric feeds the alarms; the dimensioned copy breaks it down by reason.
      this.metrics.addMetric(name, MetricUnit.Count, value);
      const single = this.metrics.singleMetric();
      for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
      single.addMetric(name, MetricUnit.Count, value);
      return;
    }
    this.metrics.addMetric(name, MetricUnit.Count, value);
  }

  timing(name: string, ms: number): void {
    this.metrics.addMetric(name, MetricUnit.Milliseconds, ms);
  }
}

/** A MetricsSink that keeps what it is told, for the sandbox and tests. */
export class RecordingMetricsSink implements MetricsSink {
  readonly counts = new Map<string, number>();
  readonly timings: { name: string; ms: number }[] = [];

  count(name: string, value = 1, dimensions?: Record<string, string>): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
    for (const [k, v] of Object.entries(dimensions ?? {})) {
      const key = `${name}:${k}=${v}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + value);
    }
  }

  timing(name: string, ms: number): void {
    this.timings.push({ name, ms });
  }
}

/** The core's LogPort on a Powertools Logger (data goes into fields, never into the message). */
export function logPort(logger: Logger): LogPort {
  const fields = (data?: Record<string, unknown>) => (data ?? {}) as LogAttributes;
  return {
    info: (message, data) => logger.info(message, fields(data)),
    warn: (message, data) => logger.warn(message, fields(data)),
    error: (message, data) => logger.error(message, fields(data)),
  };
}
