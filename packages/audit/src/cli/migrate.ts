/**
 * `authwatch-audit-migrate <audit-dir> [--dry-run]`
 *
 * Moves the objects under `<audit-dir>/ext/authwatch/` (one source for every class,
 * partitioned by arrival day) into one folder per OCSF class, partitioned by each
 * record's own day (`ext/<source>/region=…/accountId=…/eventDay=…/`). For the local
 * stack: `authwatch-audit-migrate .local/audit`. For a bucket: sync the old prefix
 * down, migrate, sync `ext/` up, remove the old prefix (see the package README).
 * Exit 0 when every record was placed, 1 when some were kept in error documents,
 * 2 on bad usage or an object outside the old layout.
 */
import { parseArgs } from 'node:util';
import { LegacyLayoutError, migrateLegacyObjects } from '../migrate.js';
import type { CliIo } from './replay.js';

const USAGE = `usage: authwatch-audit-migrate <audit-dir> [--dry-run] [--quiet]

Moves <audit-dir>/ext/authwatch/... objects into one source per OCSF class,
partitioned by each record's own day (ext/<source>/region=/accountId=/eventDay=/).
  --dry-run   show what would move, change nothing
  --quiet     only the summary`;

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    io.stderr(`give exactly one audit directory\n${USAGE}\n`);
    return 2;
  }
  try {
    const summary = await migrateLegacyObjects(dir, {
      dryRun: values['dry-run'],
      log: values.quiet ? undefined : (line) => io.stdout(`${line}\n`),
    });
    const bySource = Object.entries(summary.records)
      .filter(([, count]) => count > 0)
      .map(([source, count]) => `${source} ${count}`)
      .join(', ');
    io.stderr(
      `${values['dry-run'] ? 'would move' : 'moved'} ${summary.objects} objects into ${summary.written}` +
        ` (${bySource || 'no records'})${summary.failed ? `; ${summary.failed} records not placed, kept in ${summary.errorDocuments.join(', ')}` : ''}\n`,
    );
    return summary.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof LegacyLayoutError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
