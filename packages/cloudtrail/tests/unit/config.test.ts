import { describe, expect, it } from 'vitest';
import { CLOUDTRAIL_ENV, defaultCountryDb, loadConfig } from '../../src/config.js';

describe('CloudTrail config', () => {
  it('uses the default country database with GeoIP on by default', () => {
    const config = loadConfig({});
    expect(config.geoip?.countryDb).toBe(defaultCountryDb());
    expect(config.geoip?.countryDb).toMatch(/dbip-country\.mmdb$/);
    expect(config.clientIds).toEqual([]);
  });

  it('turns GeoIP off', () => {
    expect(loadConfig({ [CLOUDTRAIL_ENV.geoip]: 'false' }).geoip).toBeUndefined();
  });

  it('refuses a City database file that does not exist, naming the variable', () => {
    expect(() => loadConfig({ [CLOUDTRAIL_ENV.geoipCityDb]: '/nope/GeoLite2-City.mmdb' })).toThrow(
      'Environment variable CLOUDTRAIL_GEOIP_CITY_DB names a file that does not exist',
    );
  });

  it('refuses a malformed pool id and client id', () => {
    expect(() => loadConfig({ [CLOUDTRAIL_ENV.userPoolId]: 'pool' })).toThrow(
      CLOUDTRAIL_ENV.userPoolId,
    );
    expect(() => loadConfig({ [CLOUDTRAIL_ENV.clientIds]: 'ok123,bad id' })).toThrow(
      'CLOUDTRAIL_CLIENT_IDS holds "bad id"',
    );
  });
});
