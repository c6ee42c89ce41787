import { schemaValidators, type SchemaValidator } from '../../generated/validators.js';

/**
 * The precompiled validator of a schema component, by its name in the spec.
 *
 * @example
 * ```ts
 * const validate = schemaValidator('Webhook');
 * if (validate && !validate(body)) console.log(validate.errors);
 * ```
 */
export function schemaValidator(schema: string): SchemaValidator<unknown> | undefined {
  return Object.hasOwn(schemaValidators, schema)
    ? (schemaValidators as Readonly<Record<string, SchemaValidator<unknown>>>)[schema]
    : undefined;
}
