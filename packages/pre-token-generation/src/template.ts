/**
 * Templates in claim values: `${custom:tenant_id}` is a user attribute, `${groups}` the
 * user's groups; `$${` writes a literal `${`. Parsed once at load into parts.
 */

/** Variables that are not user attributes. */
export const TEMPLATE_VARIABLES = [
  'groups',
  'scopes',
  'clientId',
  'userName',
  'triggerSource',
  'userPoolId',
  'region',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Variables that are lists: as a whole value they give an array (V2_0+). */
export const LIST_VARIABLES: ReadonlySet<string> = new Set(['groups', 'scopes']);

const VARIABLE_SET: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
const ATTRIBUTE_NAME = /^[A-Za-z0-9_:.-]{1,64}$/;

/** A literal piece or a reference. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: TemplateVariable }
  | { kind: 'attr'; name: string };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Whether the string holds at least one reference. */
  dynamic: boolean;
  /** Problems (unclosed reference, bad name); empty when the template is valid. */
  errors: string[];
}

/** Parses a claim string into literal and reference parts. */
export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: string[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (source.startsWith('${', i)) {
      const end = source.indexOf('}', i + 2);
      if (end === -1) {
        errors.push(`unclosed "\${" at character ${i} (write $\${ for a literal)`);
        text += source.slice(i);
        break;
      }
      const name = source.slice(i + 2, end).trim();
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
      if (VARIABLE_SET.has(name)) parts.push({ kind: 'var', name: name as TemplateVariable });
      else if (ATTRIBUTE_NAME.test(name)) parts.push({ kind: 'attr', name });
      else errors.push(`"\${${name}}" is neither a template variable nor an attribute name`);
      i = end + 1;
      continue;
    }
    text += source[i];
    i += 1;
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return { parts, dynamic: parts.some((part) => part.kind !== 'text'), errors };
}

/** The values templates read, per invocation. */
export interface TemplateScope {
  attributes: Readonly<Record<string, string>>;
  groups: readonly string[];
  scopes: readonly string[];
  clientId: string;
  userName: string;
  triggerSource: string;
  userPoolId: string;
  region: string;
}

/** Compiles parsed parts into a function of the scope. A whole-list reference may give an array. */
export function compileTemplate(
  parsed: ParsedTemplate,
  listsAsArrays: boolean,
): (scope: TemplateScope) => string | string[] {
  const { parts } = parsed;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && only.kind === 'var' && LIST_VARIABLES.has(only.name) && listsAsArrays) {
    const name = only.name as 'groups' | 'scopes';
    return (scope) => [...scope[name]];
  }
  const pieces = parts.map((part): ((scope: TemplateScope) => string) => {
    if (part.kind === 'text') {
      const { text } = part;
      return () => text;
    }
    if (part.kind === 'attr') {
      const { name } = part;
      return (scope) =>
        Object.hasOwn(scope.attributes, name) ? (scope.attributes[name] ?? '') : '';
    }
    const { name } = part;
    if (name === 'groups' || name === 'scopes') return (scope) => scope[name].join(',');
    return (scope) => scope[name];
  });
  if (pieces.length === 1) {
    const [piece] = pieces as [(scope: TemplateScope) => string];
    return piece;
  }
  return (scope) => {
    let out = '';
    for (const piece of pieces) out += piece(scope);
    return out;
  };
}
