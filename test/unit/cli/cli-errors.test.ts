import { CliError, EXIT, toCliError } from '../../../cli/cli-errors';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('errors that say what to do next', () => {
  it.each([
    ['CredentialsProviderError', EXIT.credentials, /aws configure.*--endpoint/],
    ['ExpiredTokenException', EXIT.credentials, /refresh/],
    ['UnrecognizedClientException', EXIT.credentials, /refresh/],
    ['AccessDeniedException', EXIT.credentials, /dynamodb:Query/],
    ['ThrottlingException', EXIT.throttled, /wait a minute/],
    ['ProvisionedThroughputExceededException', EXIT.throttled, /narrow/],
    ['ResourceNotFoundException', EXIT.notFound, /--table NAME or set ENI_REMEDIATOR_TABLE/],
  ])('maps %s to exit %s', (name, code, hint) => {
    const err = toCliError(named(name), { tableName: 'audit', region: 'eu-west-1' });
    expect(err.exitCode).toBe(code);
    expect(err.message).toMatch(hint);
  });

  it('names the table and region it looked in', () => {
    expect(
      toCliError(named('ResourceNotFoundException'), { tableName: 'audit', region: 'eu-west-1' }).message,
    ).toContain('(table audit, region eu-west-1)');
  });

  it('tells to check the endpoint when nothing answers', () => {
    const err = toCliError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), {
      endpoint: 'http://127.0.0.1:9',
    });
    expect(err.exitCode).toBe(EXIT.failed);
    expect(err.message).toMatch(/is the sandbox running/);
  });

  it('keeps CliErrors and maps anything else to exit 1', () => {
    const own = new CliError('mine', EXIT.notFound);
    expect(toCliError(own)).toBe(own);
    expect(toCliError(new TypeError('boom'))).toMatchObject({
      exitCode: EXIT.failed,
      message: 'TypeError: boom',
    });
  });
});
