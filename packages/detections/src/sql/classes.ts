/**
 * Which OCSF classes a rule can read, from the `class_uid` its filters name. Every source
 * of the audit store holds one class, and the Athena view states each source's class as
 * a constant, so a rule whose filter names its classes reads only those sources: the
 * benchmark's bytes and cost per rule come from this, and `authwatch-detect validate`
 * names the rules that read every source.
 */
import type { Filter, Rule } from '../schema.js';

function numbers(value: unknown): number[] | undefined {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) {
    return [...(value as number[])];
  }
  return undefined;
}

/** The classes a filter admits, or `undefined` when it does not narrow them. */
export function classesOfFilter(filter: Filter): number[] | undefined {
  const own = numbers(filter.class_uid);
  if (own) return own;
  // `any: [...]` narrows when every branch does.
  const any = filter.any;
  if (Array.isArray(any) && any.length > 0 && any.every((f) => typeof f === 'object')) {
    const branches = (any as Filter[]).map(classesOfFilter);
    if (branches.every((b) => b !== undefined)) {
      return [...new Set(branches.flat() as number[])].sort((a, b) => a - b);
    }
  }
  return undefined;
}

function intersect(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.filter((value) => b.includes(value));
}

/**
 * The classes `rule` reads (sorted), or `undefined` when some part of it reads every
 * class. A sequence reads its filter steps' classes (each within the rule's base filter)
 * and the classes of the rules its `rules` steps name.
 */
export function classesRead(
  rule: Rule,
  rules: ReadonlyMap<string, Rule>,
  seen: ReadonlySet<string> = new Set(),
): number[] | undefined {
  const base = classesOfFilter(rule.filter);
  const correlation = rule.correlation;
  if (correlation.type !== 'temporal_ordered') return base?.slice().sort((a, b) => a - b);
  const all = new Set<number>();
  for (const step of correlation.sequence) {
    let stepClasses: number[] | undefined;
    if ('filter' in step) {
      stepClasses = intersect(base, classesOfFilter(step.filter));
    } else {
      const parts = step.rules.map((id) => {
        const referenced = rules.get(id);
        if (!referenced || seen.has(id)) return undefined;
        return classesRead(referenced, rules, new Set([...seen, rule.id]));
      });
      stepClasses = parts.every((p) => p !== undefined) ? (parts.flat() as number[]) : undefined;
    }
    if (stepClasses === undefined) return undefined;
    for (const value of stepClasses) all.add(value);
  }
  return [...all].sort((a, b) => a - b);
}
