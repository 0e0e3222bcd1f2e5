import { createAthenaHistoryEngine } from './athena-engine.js';
import type { HistoryConfig } from './config.js';
import { createDuckDbEngine } from './duckdb-engine.js';
import type { HistoryEngine } from './engine.js';

/** The engine a config names (none: the history routes answer 503). */
export function createHistoryEngine(config: HistoryConfig): HistoryEngine | undefined {
  switch (config.engine) {
    case 'duckdb':
      return createDuckDbEngine({ auditDir: config.auditDir, follow: config.follow });
    case 'athena':
      return createAthenaHistoryEngine({ workGroup: config.workGroup, database: config.database });
    default:
      return undefined;
  }
}
