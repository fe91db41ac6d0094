/** Publishes `TaskRelaunched` on an event bus so orchestrators can follow the replacement. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, TaskRelaunchedEvent } from '../core/ports';

export const TASK_RELAUNCHED_SOURCE = 'eni-remediator';
export const TASK_RELAUNCHED_DETAIL_TYPE = 'TaskRelaunched';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async taskRelaunched(event: TaskRelaunchedEvent): Promise<void> {
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: TASK_RELAUNCHED_SOURCE,
            DetailType: TASK_RELAUNCHED_DETAIL_TYPE,
            Resources: [event.newTaskArn, event.oldTaskArn],
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new Error(
        `PutEvents refused TaskRelaunched: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`,
      );
    }
  }
}
