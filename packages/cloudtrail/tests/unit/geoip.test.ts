import { describe, expect, it } from 'vitest';
import { autonomousSystemOf, locationOf } from '../../src/geoip.js';
import { countryGeo } from '../helpers.js';

describe('GeoIP', () => {
  it('finds the country of IPv4 and IPv6 addresses in the default database', () => {
    const geo = countryGeo();
    expect(geo.lookup('81.2.69.142')).toEqual({ location: { country: 'GB' } });
    expect(geo.lookup('193.51.224.1')).toEqual({ location: { country: 'FR' } });
    expect(geo.lookup('2001:4860:4860::8888').location?.country).toMatch(/^[A-Z]{2}$/);
  });

  it('has nothing for documentation, private and loopback addresses, or a non-address', () => {
    const geo = countryGeo();
    for (const ip of ['203.0.113.10', '10.1.2.3', '127.0.0.1', '::1', 'not-an-ip']) {
      expect(geo.lookup(ip)).toEqual({});
    }
  });

  it('reads a GeoLite2 City record: country, city, latitude and longitude', () => {
    // The shape of a GeoLite2/GeoIP2 City record (MaxMind's database documentation).
    const record = {
      city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
      country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
      location: {
        accuracy_radius: 10,
        latitude: 51.5142,
        longitude: -0.0931,
        time_zone: 'Europe/London',
      },
      registered_country: { iso_code: 'GB' },
    };
    expect(locationOf(record as never)).toEqual({
      country: 'GB',
      city: 'London',
      lat: 51.5142,
      long: -0.0931,
    });
  });

  it('reads a GeoLite2 ASN record', () => {
    expect(
      autonomousSystemOf({
        autonomous_system_number: 15169,
        autonomous_system_organization: 'GOOGLE',
      }),
    ).toEqual({ number: 15169, name: 'GOOGLE' });
    expect(autonomousSystemOf({ autonomous_system_number: 'x' } as never)).toBeUndefined();
  });

  it('ignores a record with a malformed country or coordinates', () => {
    expect(locationOf({ country_code: 'gbr' })).toBeUndefined();
    expect(locationOf({ country_code: 'GB', latitude: Number.NaN, longitude: 1 })).toEqual({
      country: 'GB',
    });
  });
});
