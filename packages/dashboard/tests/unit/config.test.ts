import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

const valid = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbC123xyz',
  clientId: '1example23456789abcdefghij',
  cognitoEndpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/',
  apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
  liveFeed: {
    httpHost: 'abc.appsync-api.eu-west-1.amazonaws.com',
    realtimeUrl: 'wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/event/realtime',
    channels: { signIn: '/auth/sign-in', detections: '/auth/detections' },
  },
  securityGroup: 'security',
};

describe('config.json', () => {
  it('reads a deployed config with both sign-in flows by default, the API URL without its slash', () => {
    expect(parseConfig(valid)).toMatchObject({
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      signIn: ['password', 'email-code'],
      securityGroup: 'security',
      liveFeed: { auth: 'cognito' },
    });
  });

  it('reads the IAM mode of the live feed with its identity pool', () => {
    const config = parseConfig({
      ...valid,
      liveFeed: {
        ...valid.liveFeed,
        auth: 'iam',
        identityPoolId: 'eu-west-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      },
    });

    expect(config.liveFeed).toMatchObject({
      auth: 'iam',
      identityPoolId: 'eu-west-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    });
  });

  it.each([
    [{ ...valid, userPoolId: 'pool' }, 'config.json: userPoolId must be a user pool id'],
    [{ ...valid, clientId: '' }, 'config.json: clientId must be a non-empty string'],
    [{ ...valid, apiUrl: 'ftp://x' }, 'config.json: apiUrl must use https: or http:'],
    [
      { ...valid, liveFeed: { ...valid.liveFeed, realtimeUrl: 'https://x/event/realtime' } },
      'config.json: liveFeed.realtimeUrl must use wss: or ws:',
    ],
    [
      { ...valid, liveFeed: { ...valid.liveFeed, channels: { signIn: '/auth/sign-in' } } },
      'config.json: liveFeed.channels.detections must be a non-empty string',
    ],
    [{ ...valid, signIn: ['sms'] }, 'config.json: signIn must list password and/or email-code'],
    [
      { ...valid, liveFeed: { ...valid.liveFeed, auth: 'iam' } },
      'config.json: liveFeed.identityPoolId must be a non-empty string',
    ],
    [
      { ...valid, liveFeed: { ...valid.liveFeed, auth: 'apikey' } },
      'config.json: liveFeed.auth must be cognito or iam',
    ],
    [[], 'config.json: the file must hold a JSON object'],
  ])('refuses a config naming the field (%#)', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });
});
