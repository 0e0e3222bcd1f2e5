// Module resolve hooks for dt-sql-parser: its ESM build imports './parser' and
// '../SQLParserBase' without a file extension, which Node's ESM loader refuses
// (ERR_UNSUPPORTED_DIR_IMPORT / ERR_MODULE_NOT_FOUND). Only specifiers imported from
// inside dt-sql-parser are retried, with `.js` and then `/index.js`.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const fromParser = context.parentURL?.includes('/dt-sql-parser/');
    if (!fromParser || !(specifier.startsWith('./') || specifier.startsWith('../'))) throw error;
    for (const suffix of ['.js', '/index.js']) {
      try {
        return await next(`${specifier}${suffix}`, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}
