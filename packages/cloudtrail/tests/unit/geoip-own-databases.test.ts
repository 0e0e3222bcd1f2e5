import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOUDTRAIL_ENV, defaultCountryDb, loadConfig } from '../../src/config.js';
import { openGeoIp } from '../../src/geoip.js';
import { writeMmdb } from '../mmdb-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'aw-geoip-'));
const cityDb = join(dir, 'GeoLite2-City.mmdb');
const asnDb = join(dir, 'GeoLite2-ASN.mmdb');
// GeoLite2 City and ASN record shapes (MaxMind's database documentation).
writeMmdb(cityDb, 'GeoLite2-City', {
  '81.2.69.0/24': {
    city: { geoname_id: 2643743, names: { en: 'London' } },
    country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
    location: {
      accuracy_radius: 10,
      latitude: { double: 51.5142 },
      longitude: { double: -0.0931 },
    },
  },
});
writeMmdb(asnDb, 'GeoLite2-ASN', {
  '81.2.69.0/24': {
    autonomous_system_number: 20712,
    autonomous_system_organization: 'Andrews & Arnold Ltd',
  },
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GeoIP with your own City and ASN databases', () => {
  it('adds city, coordinates and the autonomous system through the configured files', () => {
    // Prepare
    const config = loadConfig({
      [CLOUDTRAIL_ENV.geoipCityDb]: cityDb,
      [CLOUDTRAIL_ENV.geoipAsnDb]: asnDb,
    });
    const geo = openGeoIp(config.geoip as NonNullable<typeof config.geoip>);

    // Act
    const facts = geo.lookup('81.2.69.142');

    // Assess
    expect(facts).toEqual({
      location: { country: 'GB', city: 'London', lat: 51.5142, long: -0.0931 },
      autonomousSystem: { number: 20712, name: 'Andrews & Arnold Ltd' },
    });
    expect(config.geoip?.countryDb).toBe(defaultCountryDb());
  });

  it('has no facts for an address outside the databases', () => {
    const geo = openGeoIp({ countryDb: cityDb, cityDb, asnDb });
    expect(geo.lookup('193.51.224.1')).toEqual({});
  });
});
