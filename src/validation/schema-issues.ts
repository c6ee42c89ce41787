import type { ErrorObject } from 'ajv';
import { pointer, type ValidationIssue } from '../validation-issue.js';

/**
 * Turns ajv's errors into our issues. The path points at the offending value itself: for a
 * missing or an unexpected property that is the property, not its parent object, so a form can
 * put the message next to the right field.
 */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  if (!errors) return [];
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    let path = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required' && typeof params['missingProperty'] === 'string') {
      path = pointer(path, params['missingProperty']);
      message = 'is required';
    } else if (
      error.keyword === 'additionalProperties' &&
      typeof params['additionalProperty'] === 'string'
    ) {
      path = pointer(path, params['additionalProperty']);
      message = 'is not a known property';
    } else if (error.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      message = `must be one of ${params['allowedValues'].map(String).join(', ')}`;
    }
    return { path, code: `schema.${error.keyword}`, message };
  });
}
