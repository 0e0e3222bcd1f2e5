/**
 * One Amazon Security Lake custom source per OCSF event class. Security Lake's rules for
 * custom sources: a source that delivers several OCSF classes delivers each class as a
 * separate source (its own `ext/<source>/` prefix, Lake Formation table and Glue
 * crawler), and every record of one object belongs to one class. This module is the one
 * place that maps a `class_uid` to its source: the Firehose partitioning query, the Glue
 * tables, the local Firehose, the `authwatch_events` view and the migration all read it.
 *
 * @see https://docs.aws.amazon.com/security-lake/latest/userguide/custom-sources.html
 */

/** One custom source: the events of exactly one OCSF class. */
export interface OcsfSource {
  /** The OCSF class every record of this source has. */
  readonly classUid: number;
  /** The OCSF class name. */
  readonly className: string;
  /** The source name: the folder under `ext/` and the suffix of its Glue table. */
  readonly name: string;
  /**
   * The name this source is registered under in Security Lake (CreateCustomLogSource).
   * At most 20 characters: Security Lake names the source's provider role
   * `AmazonSecurityLake-Provider-<name>-<region>`, and an IAM role name has at most 64.
   */
  readonly lakeName: string;
  /**
   * The event class as Security Lake's `eventClasses` spells it: the OCSF class's
   * `name` (`user_access` for User Access Management), upper case.
   */
  readonly lakeEventClass: string;
  /** The Glue table of this source (`audit_<name with underscores>`). */
  readonly table: string;
}

function source(
  classUid: number,
  className: string,
  ocsfName: string,
  name: string,
  lakeName: string,
): OcsfSource {
  return {
    classUid,
    className,
    name,
    lakeName,
    lakeEventClass: ocsfName.toUpperCase(),
    table: name.replaceAll('-', '_'),
  };
}

/**
 * Every OCSF class Authwatch emits, by `class_uid`, and its source. A class missing here
 * cannot be stored: the local Firehose and the deployed stream's partitioning query both
 * refuse it (the record lands under the error prefix, never in another class's source).
 *
 * @example
 * ```ts
 * OCSF_SOURCES[3002].name; // 'authwatch-authentication'
 * sourceForClass(event.class_uid).name;
 * ```
 */
export const OCSF_SOURCES = {
  2004: source(
    2004,
    'Detection Finding',
    'detection_finding',
    'authwatch-detection-finding',
    'authwatch-finding',
  ),
  3001: source(
    3001,
    'Account Change',
    'account_change',
    'authwatch-account-change',
    'authwatch-account',
  ),
  3002: source(
    3002,
    'Authentication',
    'authentication',
    'authwatch-authentication',
    'authwatch-auth',
  ),
  3005: source(
    3005,
    'User Access Management',
    'user_access',
    'authwatch-user-access',
    'authwatch-access',
  ),
  6003: source(6003, 'API Activity', 'api_activity', 'authwatch-api-activity', 'authwatch-api'),
} as const satisfies Record<number, OcsfSource>;

/** A class_uid that has a source. */
export type MappedClassUid = keyof typeof OCSF_SOURCES;

/** Every source, in class_uid order. */
export const OCSF_SOURCE_LIST: readonly OcsfSource[] = Object.values(OCSF_SOURCES).sort(
  (a, b) => a.classUid - b.classUid,
);

/** An event whose class has no source: storing it would mix classes, so it is refused. */
export class UnmappedClassError extends Error {
  readonly classUid: unknown;
  constructor(classUid: unknown) {
    const known = OCSF_SOURCE_LIST.map((s) => s.classUid).join(', ');
    super(
      `OCSF class_uid ${JSON.stringify(classUid) ?? String(classUid)} has no Security Lake ` +
        `source (known: ${known}); add it to OCSF_SOURCES in @authwatch/audit`,
    );
    this.name = 'UnmappedClassError';
    this.classUid = classUid;
  }
}

/** The source of `classUid`, or an {@link UnmappedClassError}. */
export function sourceForClass(classUid: unknown): OcsfSource {
  if (typeof classUid === 'number' && Object.hasOwn(OCSF_SOURCES, classUid)) {
    return OCSF_SOURCES[classUid as MappedClassUid];
  }
  throw new UnmappedClassError(classUid);
}

/** The source named `name` (the folder under `ext/`), or undefined. */
export function sourceNamed(name: string): OcsfSource | undefined {
  return OCSF_SOURCE_LIST.find((s) => s.name === name);
}
