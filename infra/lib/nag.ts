/**
 * cdk-nag for tests: the AwsSolutions findings of a construct tree that nobody has
 * acknowledged (each acknowledgement carries a reason, `Validations.of(x).acknowledge`).
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface NagFinding {
  rule: string;
  severity: string;
  resources: string[];
}

/**
 * Runs the AwsSolutions pack over `scope` and returns its unacknowledged findings.
 *
 * @example
 * ```ts
 * expect(nagFindings(stack)).toEqual([]);
 * ```
 */
export function nagFindings(scope: IConstruct): NagFinding[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity ?? 'error',
    resources: violation.violatingResources.map(
      (resource) =>
        resource.constructPath ?? resource.resourceLogicalId ?? resource.templatePath ?? '?',
    ),
  }));
}
