/**
 * Alarms (each to the alert topic) and a dashboard for the remediator: dead-letter queues,
 * function errors and throttles, and the Powertools outcome metrics that need a human.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Metric names the remediator emits through Powertools Metrics. */
export const OUTCOME_METRICS = Object.freeze({
  detected: 'Detected',
  relaunched: 'Relaunched',
  skipped: 'Skipped',
  gaveUp: 'GaveUp',
  failed: 'Failed',
  unresolved: 'Unresolved',
});

/** Outcomes that need a human: each has an alarm at > 0. */
export const ALARMED_OUTCOME_METRICS = [
  OUTCOME_METRICS.gaveUp,
  OUTCOME_METRICS.unresolved,
  OUTCOME_METRICS.failed,
];

export interface RemediatorMonitoringProps {
  readonly alertTopic: ITopic;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Powertools namespace. */
  readonly metricsNamespace: string;
  /** Powertools `service` dimension of the remediator's metrics. */
  readonly serviceName: string;
}

const PERIOD = Duration.minutes(5);

export class RemediatorMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RemediatorMonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.alertTopic);
    const alarmAboveZero = (alarmId: string, metric: IMetric, description: string): Alarm => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
      return alarm;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarmAboveZero(
        `${name}NotEmpty`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        `${name} holds undelivered events; inspect and redrive them.`,
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarmAboveZero(
        `${name}Errors`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        `${name} invocations failed; Lambda retries them, then sends them to the failure queue.`,
      );
      alarmAboveZero(
        `${name}Throttles`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        `${name} was throttled by its reserved concurrency; raise it if this repeats.`,
      );
    }
    const outcome = (metricName: string): Metric =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        period: PERIOD,
        statistic: 'Sum',
      });
    for (const metricName of ALARMED_OUTCOME_METRICS) {
      alarmAboveZero(
        `${metricName}Alarm`,
        outcome(metricName),
        `Remediations ended ${metricName}; see the audit table (outcome index) for the chains.`,
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new GraphWidget({
            title: 'Remediation outcomes',
            left: Object.values(OUTCOME_METRICS).map(outcome),
            width: 24,
          }),
        ],
        Object.entries(props.functions).map(
          ([name, fn]) =>
            new GraphWidget({
              title: `${name} invocations`,
              left: [fn.metricInvocations({ period: PERIOD }), fn.metricErrors({ period: PERIOD })],
              right: [fn.metricThrottles({ period: PERIOD })],
              width: 12,
            }),
        ),
        Object.entries(props.functions).map(
          ([name, fn]) =>
            new GraphWidget({
              title: `${name} duration`,
              left: [fn.metricDuration({ period: PERIOD, statistic: 'p99' })],
              width: 12,
            }),
        ),
        [
          new GraphWidget({
            title: 'Dead-letter queues (messages visible)',
            left: Object.values(props.deadLetterQueues).map((queue) =>
              queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
            ),
            width: 24,
          }),
        ],
      ],
    });
  }
}
