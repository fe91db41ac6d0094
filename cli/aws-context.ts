/**
 * AWS clients of one CLI run, from the global flags and the environment: `--region`, `--profile`,
 * `--endpoint` (DynamoDB) or `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL` for the sandbox,
 * else the SDK's standard chain. Also finds the audit table.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoAuditReader } from '../functions/adapters/dynamo-audit-reader';
import type { Clients } from '../functions/remediator/app';
import { CliError, type ErrorContext, EXIT, UsageError } from './cli-errors';
import type { CliIo } from './cli-io';
import { DEFAULT_STACK_NAME, type DiscoveredTable, discoverTableName } from './table-discovery';

/** The global flags. */
export interface AwsOptions {
  readonly region?: string;
  readonly profile?: string;
  /** DynamoDB endpoint (the sandbox's dynalite, DynamoDB Local). */
  readonly endpoint?: string;
  readonly table?: string;
  readonly stack?: string;
}

type Service = 'DYNAMODB' | 'CLOUDFORMATION' | 'ECS' | 'SNS' | 'EVENTBRIDGE';

/** Region used with a local endpoint when none is configured (dynalite ignores it). */
const LOCAL_REGION = 'us-east-1';

interface ClientConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  requestHandler?: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}

/** The clients and table of one command run; `destroy()` closes every connection. */
export class AwsContext {
  private readonly opened: { destroy(): void }[] = [];
  private dynamo?: DynamoDBClient;
  private table?: Promise<DiscoveredTable>;

  constructor(
    readonly options: AwsOptions,
    private readonly io: CliIo,
  ) {
    const endpoint = options.endpoint;
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
      throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:8000, got "${endpoint}"`);
    }
  }

  /** DynamoDB endpoint override, if any. */
  get endpoint(): string | undefined {
    return this.endpointFor('DYNAMODB');
  }

  /** Region from the flag or the environment (the profile's region is resolved by the SDK). */
  get region(): string | undefined {
    const env = this.io.env;
    const configured = this.options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return configured || (this.endpoint ? LOCAL_REGION : undefined);
  }

  private endpointFor(service: Service): string | undefined {
    if (service === 'DYNAMODB' && this.options.endpoint) return this.options.endpoint;
    return this.io.env[`AWS_ENDPOINT_URL_${service}`] || this.io.env.AWS_ENDPOINT_URL || undefined;
  }

  private config(service: Service): ClientConfig {
    const env = this.io.env;
    const endpoint = this.endpointFor(service);
    const profile = this.options.profile ?? (env.AWS_PROFILE || undefined);
    // An endpoint that accepts connections and never answers must not hang the command.
    const config: ClientConfig = {
      region: this.region,
      endpoint,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    };
    if (profile) config.profile = profile;
    else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      config.credentials = {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      };
    } else if (endpoint) {
      // A local endpoint checks no signature; any credentials do.
      config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    }
    return config;
  }

  private keep<T extends { destroy(): void }>(client: T): T {
    this.opened.push(client);
    return client;
  }

  /** The DynamoDB client (one per run). */
  dynamodb(): DynamoDBClient {
    this.dynamo ??= this.io.clients?.dynamodb ?? this.keep(new DynamoDBClient(this.config('DYNAMODB')));
    return this.dynamo;
  }

  /** Every client the remediator's dependencies need, for `redrive`. */
  clients(): Clients {
    const given = this.io.clients ?? {};
    return {
      dynamodb: this.dynamodb(),
      ecs: given.ecs ?? this.keep(new ECSClient({ ...this.config('ECS'), maxAttempts: 5 })),
      sns: given.sns ?? this.keep(new SNSClient(this.config('SNS'))),
      events: given.events ?? this.keep(new EventBridgeClient(this.config('EVENTBRIDGE'))),
    };
  }

  /** The region the DynamoDB client will use; a CliError (exit 4) when none is configured. */
  async resolvedRegion(): Promise<string> {
    try {
      return await this.dynamodb().config.region();
    } catch (err) {
      throw new CliError(
        'no AWS region: pass --region, set AWS_REGION, or set a region in your profile (`aws configure`)',
        EXIT.credentials,
        { cause: err },
      );
    }
  }

  /** The audit table's name (flag, variable or stack output), found once per run. */
  async tableName(): Promise<string> {
    this.table ??= (async () => {
      const region = await this.resolvedRegion();
      return discoverTableName({
        table: this.options.table,
        stack: this.options.stack ?? DEFAULT_STACK_NAME,
        env: this.io.env,
        localEndpoint: this.endpoint,
        region,
        profile: this.options.profile ?? (this.io.env.AWS_PROFILE || undefined),
        cloudFormation: () => this.keep(new CloudFormationClient(this.config('CLOUDFORMATION'))),
      });
    })();
    return (await this.table).name;
  }

  /** A reader on the audit table. */
  async reader(): Promise<DynamoAuditReader> {
    return new DynamoAuditReader(this.dynamodb(), await this.tableName());
  }

  /** Where the CLI looked, for error messages. */
  async errorContext(): Promise<ErrorContext> {
    let tableName: string | undefined;
    try {
      tableName = this.table ? (await this.table).name : undefined;
    } catch {
      tableName = undefined;
    }
    return {
      tableName,
      region: this.region,
      endpoint: this.endpoint,
      profile: this.options.profile ?? (this.io.env.AWS_PROFILE || undefined),
    };
  }

  /** Closes every client this run opened (clients given through io stay open). */
  destroy(): void {
    for (const client of this.opened.splice(0)) client.destroy();
  }
}
