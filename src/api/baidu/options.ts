/**
 * Option readers shared by the endpoint rows, following the seed's rules for odd values:
 * where Baidu documents a fallback ("any other value, or none, means false" for `show`;
 * "an unrecognised word is ignored" for the private dialect's `return_crop`), an invalid value
 * takes the documented default instead of failing with 216100.
 *
 * Used today by body_tracking (flagOption for `show`, requiredField for its required fields);
 * binaryOption reads the private detection service's `return_crop`. docs/auth.md lists who uses what.
 */
import { ServiceError } from '../../errors.js';
import type { Form } from './endpoints.js';

/** `true` / `false` (any case); anything else, or nothing, is `fallback` (Baidu's `show`). */
export function flagOption(value: string | undefined, fallback = false): boolean {
  const v = value?.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fallback;
}

/** `1` / `0`, or `true` / `false`; anything else is `fallback` (the private dialect's `return_crop`). */
export function binaryOption(value: string | number | boolean | undefined, fallback = false): boolean {
  if (typeof value === 'boolean') return value;
  const v = String(value ?? '').trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return fallback;
}

/** A field the row cannot do without: absent or blank → 282003 "missing parameters: {name}". */
export function requiredField(form: Form, name: string): string {
  const value = form[name];
  if (value === undefined || value.trim() === '') throw new ServiceError('missing_parameters', name);
  return value;
}
