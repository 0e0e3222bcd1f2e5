/**
 * GeoIP: the location and autonomous system of an IP, read with the `maxmind` reader
 * from MaxMind-format databases: a City database when configured (GeoLite2/GeoIP2 City:
 * country, city, latitude, longitude), else the default country database (DB-IP Lite,
 * `country_code` only), and an ASN database when configured. Lookups are memoised (a
 * brute force repeats a few IPs many times), and the memo is bounded.
 */
import { readFileSync } from 'node:fs';
import type { OcsfEndpoint } from '@authwatch/audit';
import { Reader } from 'maxmind';
import type { GeoIpConfig } from './config.js';

export interface GeoFacts {
  location?: NonNullable<OcsfEndpoint['location']>;
  autonomousSystem?: NonNullable<OcsfEndpoint['autonomous_system']>;
}

export interface GeoIp {
  lookup(ip: string): GeoFacts;
}

// The record shapes of the databases we read: MaxMind's City/Country, DB-IP Lite's
// `country_code`, and MaxMind's (or ip-location-db's) ASN.
interface GeoRecord {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  country_code?: string;
  city?: { names?: { en?: string } } | string;
  location?: { latitude?: number; longitude?: number };
  latitude?: number;
  longitude?: number;
  autonomous_system_number?: number;
  autonomous_system_organization?: string;
}

const COUNTRY = /^[A-Z]{2}$/;

/** The OCSF location in a database record, or undefined. */
export function locationOf(record: GeoRecord | null | undefined): GeoFacts['location'] {
  if (record === null || record === undefined || typeof record !== 'object') return undefined;
  const location: NonNullable<GeoFacts['location']> = {};
  const country =
    record.country?.iso_code ?? record.country_code ?? record.registered_country?.iso_code;
  if (typeof country === 'string' && COUNTRY.test(country)) location.country = country;
  const city = typeof record.city === 'string' ? record.city : record.city?.names?.en;
  if (typeof city === 'string' && city !== '') location.city = city.slice(0, 100);
  const lat = record.location?.latitude ?? record.latitude;
  const long = record.location?.longitude ?? record.longitude;
  if (typeof lat === 'number' && typeof long === 'number' && Number.isFinite(lat + long)) {
    location.lat = lat;
    location.long = long;
  }
  return Object.keys(location).length > 0 ? location : undefined;
}

/** The OCSF autonomous system in a database record, or undefined. */
export function autonomousSystemOf(
  record: GeoRecord | null | undefined,
): GeoFacts['autonomousSystem'] {
  if (record === null || record === undefined || typeof record !== 'object') return undefined;
  const number = record.autonomous_system_number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) return undefined;
  const as: NonNullable<GeoFacts['autonomousSystem']> = { number };
  const name = record.autonomous_system_organization;
  if (typeof name === 'string' && name !== '') as.name = name.slice(0, 200);
  return as;
}

const MEMO_MAX = 10_000;

/** A reader whose records we take as {@link GeoRecord}s (every shape is checked). */
interface GeoReader {
  get(ip: string): GeoRecord | null;
}

function readerOf(path: string): GeoReader {
  return new Reader(readFileSync(path)) as unknown as GeoReader;
}

/** Opens the configured databases (synchronously, once, at cold start). */
export function openGeoIp(config: GeoIpConfig): GeoIp {
  const place = readerOf(config.cityDb ?? config.countryDb);
  const asn = config.asnDb === undefined ? undefined : readerOf(config.asnDb);
  const memo = new Map<string, GeoFacts>();
  return {
    lookup(ip) {
      const known = memo.get(ip);
      if (known !== undefined) return known;
      const facts: GeoFacts = {};
      try {
        const location = locationOf(place.get(ip));
        if (location) facts.location = location;
        const system = asn ? autonomousSystemOf(asn.get(ip)) : undefined;
        if (system) facts.autonomousSystem = system;
      } catch {
        // Not an address the reader takes: no GeoIP facts.
      }
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(ip, facts);
      return facts;
    },
  };
}

/** No GeoIP (CLOUDTRAIL_GEOIP=false). */
export const NO_GEOIP: GeoIp = { lookup: () => ({}) };
