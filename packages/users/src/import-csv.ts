/**
 * The user import file in Cognito's own dialect (Amazon Cognito Developer Guide,
 * "Creating the user import .csv file", Formatting the .csv file): the first row is
 * the header GetCSVHeader gives, column order is free, values are not quoted, a comma
 * inside a value is written `\,`, UTF-8 without a byte order mark, at most 16,000
 * characters a row, 100 MB and 500,000 users a file.
 */

export const MAX_ROW_CHARS = 16_000;
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
export const MAX_ROWS = 500_000;

export interface CsvRow {
  /** 1-based line number in the file (the header is line 1), as Cognito's job log counts. */
  line: number;
  fields: string[];
  /** Characters in the line (Cognito refuses rows over 16,000). */
  chars: number;
}

export interface ParsedCsv {
  header: string[];
  rows: CsvRow[];
  /** Problems that make the whole file unusable (line, message). */
  problems: { line: number; message: string }[];
}

/** Splits one line on unescaped commas; `\,` is a comma inside the value. */
export function splitLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === '\\' && line[i + 1] === ',') {
      current += ',';
      i += 1;
    } else if (char === ',') {
      fields.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}

/** Writes one value in the dialect (the inverse of `splitLine` for one field). */
export function escapeValue(value: string): string {
  return value.replaceAll(',', '\\,');
}

/** Parses the file text; never throws: what is wrong is in `problems`. */
export function parseImportCsv(text: string): ParsedCsv {
  const problems: ParsedCsv['problems'] = [];
  if (text.startsWith('\uFEFF')) {
    problems.push({
      line: 1,
      message: 'the file starts with a byte order mark; Cognito wants UTF-8 without one',
    });
    text = text.slice(1);
  }
  const lines = text.split('\n');
  // A final newline ends the last row, it does not start an empty one.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const first = (lines[0] ?? '').replace(/\r$/, '');
  if (first.trim() === '') {
    problems.push({ line: 1, message: 'the file has no header row' });
    return { header: [], rows: [], problems };
  }
  const header = splitLine(first).map((name) => name.trim());
  const rows: CsvRow[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const raw = (lines[index] as string).replace(/\r$/, '');
    if (raw.trim() === '') continue;
    rows.push({ line: index + 1, fields: splitLine(raw), chars: raw.length });
  }
  if (rows.length > MAX_ROWS) {
    problems.push({
      line: 1,
      message: `the file has ${rows.length} users; Cognito takes at most ${MAX_ROWS} a file`,
    });
  }
  return { header, rows, problems };
}
