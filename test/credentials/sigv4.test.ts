/**
 * SigV4 against vectors of AWS's Signature Version 4 test suite (credential AKIDEXAMPLE, secret
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 2015-08-30T12:36:00Z, us-east-1, service `service`).
 */
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/credentials/stores/sigv4.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const sign = (url: string) =>
  signRequest({ method: 'GET', url: new URL(url), headers: {}, body: '' }, CREDENTIALS, { region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z'), signPayloadHeader: false }).authorization;

describe('SigV4 signing', () => {
  it('signs get-vanilla as AWS’s test suite does', () => {
    expect(sign('https://example.amazonaws.com/')).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('sorts the query before signing (get-vanilla-query-order-key-case)', () => {
    expect(sign('https://example.amazonaws.com/?Param2=value2&Param1=value1')).toMatch(/Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it('signs the payload hash, the session token and every header it sends', () => {
    const headers = signRequest(
      { method: 'POST', url: new URL('https://secretsmanager.eu-west-1.amazonaws.com/'), headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' }, body: '{}' },
      { ...CREDENTIALS, sessionToken: 'session' },
      { region: 'eu-west-1', service: 'secretsmanager', now: new Date('2015-08-30T12:36:00Z') },
    );
    expect(headers['x-amz-content-sha256']).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(headers.authorization).toContain('Credential=AKIDEXAMPLE/20150830/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=');
  });
});
