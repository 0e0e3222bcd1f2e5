/**
 * A Trino grammar check for SQL text: dt-sql-parser's Trino parser (an ANTLR grammar
 * derived from Trino's own), used by the tests on every generated query and every
 * named Athena query, and by `authwatch-detect validate`.
 *
 * dt-sql-parser's ESM build imports its own files without extensions
 * (`export ... from './parser'`), which Node's ESM loader refuses under Node 20 and 24
 * (ERR_UNSUPPORTED_DIR_IMPORT), and it ships no CommonJS build. A resolve hook
 * (`extensionless-hooks.mjs`, registered with `module.register`, which both versions
 * have) retries such imports from inside dt-sql-parser with `.js` and `/index.js`;
 * nothing else is touched.
 */
import { register } from 'node:module';

export interface GrammarProblem {
  line: number;
  column: number;
  message: string;
}

export interface TrinoGrammar {
  /** Syntax problems of one statement (empty: it parses as Trino SQL). */
  validate(sql: string): GrammarProblem[];
}

let loading: Promise<TrinoGrammar> | undefined;

/** Loads the parser once (about 0.3 s the first time). */
export function loadTrinoGrammar(): Promise<TrinoGrammar> {
  loading ??= (async () => {
    register('./extensionless-hooks.mjs', import.meta.url);
    const { TrinoSQL } = (await import('dt-sql-parser')) as typeof import('dt-sql-parser');
    const parser = new TrinoSQL();
    return {
      validate(sql: string) {
        return parser.validate(sql).map((error) => ({
          line: error.startLine,
          column: error.startColumn,
          message: error.message,
        }));
      },
    };
  })();
  return loading;
}
