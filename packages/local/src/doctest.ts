/**
 * README doc-tests: the fenced blocks a README marks for it (an info string such as
 * ```` ```sh doctest ```` or ```` ```ts doctest ````) are run by a test against a local
 * stack the test starts, so a documented command cannot drift from the code.
 *
 * - `sh` blocks run with bash (`-e -o pipefail`) from the repository root, with
 *   `AUTHWATCH_LOCAL_DIR` set to the test stack's state folder (so `pnpm demo`,
 *   `pnpm watch`, `pnpm replay` and `@authwatch/local`'s `readOutputs()` find it), and
 *   the default ports `4580`-`4584` in the text replaced by the test stack's.
 * - `ts` blocks are saved as a module in `packages/local` (where the AWS SDK clients are
 *   installed) and run with tsx, with the same environment.
 *
 * A block passes when it exits 0.
 */

/** One block to run. */
export interface DocBlock {
  /** The README, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: 'sh' | 'ts';
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** The blocks of a markdown text marked `doctest` (only `sh`/`bash` and `ts` run). */
export function docBlocks(file: string, markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  let open:
    | { fence: string; indent: number; info: string; line: number; body: string[] }
    | undefined;
  lines.forEach((text, index) => {
    const match = FENCE.exec(text);
    if (open) {
      // A closing fence: the same character, at least as long, nothing after it.
      if (match && (match[2] ?? '').startsWith(open.fence) && (match[3] ?? '').trim() === '') {
        const words = open.info.split(/\s+/).filter(Boolean);
        const lang = words[0] === 'bash' ? 'sh' : words[0];
        if (words.includes('doctest') && (lang === 'sh' || lang === 'ts')) {
          blocks.push({
            file,
            line: open.line,
            lang,
            code: open.body
              .map((body) => body.slice(Math.min(open?.indent ?? 0, leading(body))))
              .join('\n'),
          });
        }
        open = undefined;
      } else {
        open.body.push(text);
      }
      return;
    }
    if (match) {
      open = {
        fence: match[2] ?? '```',
        indent: (match[1] ?? '').length,
        info: match[3] ?? '',
        line: index + 1,
        body: [],
      };
    }
  });
  return blocks;
}

function leading(text: string): number {
  return text.length - text.trimStart().length;
}

/** Replaces the default ports (base 4580) in a block by those of the stack that runs it. */
export function withPorts(code: string, ports: readonly number[]): string {
  return code.replace(
    /\b(127\.0\.0\.1|localhost):(458[0-4])\b/g,
    (_all, host: string, port: string) => {
      const actual = ports[Number(port) - 4580];
      return `${host}:${actual ?? port}`;
    },
  );
}
