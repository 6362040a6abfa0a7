/**
 * Baidu shapes of driver_behavior (seed 001, 驾驶行为分析): the `type` and `wheel_location`
 * options and the response `person_num, driver_num, person_info[{location, attributes}], log_id`,
 * attributes in the seed's order, each `{score, threshold}`.
 */
import { DRIVER_BEHAVIORS, type DriverBehavior, type DriverBehaviorResult } from '../../capabilities/driver_behavior/index.js';
import { ServiceError } from '../../errors.js';
import { round } from '../round.js';

/**
 * `type`: comma-separated behaviour words. Absent or empty: all nine. Unknown words are ignored;
 * a `type` with no known word is invalid (216100 online, err_no 8 privately).
 */
export function parseDriverTypes(value: string | undefined): DriverBehavior[] {
  if (value === undefined || value.trim() === '') return [...DRIVER_BEHAVIORS];
  const words = new Set(value.split(',').map((w) => w.trim()));
  const types = DRIVER_BEHAVIORS.filter((b) => words.has(b));
  if (types.length === 0) throw new ServiceError('invalid_param', `type "${value}" names no behaviour (${DRIVER_BEHAVIORS.join(', ')})`);
  return types;
}

/** `wheel_location`: "0" right-hand drive (leftmost driver); "1" and any other value the default 1. */
export function parseWheelLocation(value: unknown): 0 | 1 {
  return value === '0' || value === 0 ? 0 : 1;
}

/** The result without `log_id` (the private service's decoded `result`). */
export function driverBehaviorResult(result: DriverBehaviorResult) {
  const driver = result.persons[result.driver];
  if (!driver) return { person_num: result.persons.length, driver_num: 0, person_info: [] };
  const left = Math.max(0, Math.round(driver.box.left)), top = Math.max(0, Math.round(driver.box.top));
  const location = {
    left,
    top,
    width: Math.min(result.image.width, Math.round(driver.box.left + driver.box.width)) - left,
    height: Math.min(result.image.height, Math.round(driver.box.top + driver.box.height)) - top,
    score: round(driver.score),
  };
  const attributes = Object.fromEntries(
    DRIVER_BEHAVIORS.filter((b) => result.behaviors[b]).map((b) => [b, { score: round(result.behaviors[b]!.score), threshold: result.behaviors[b]!.threshold }]),
  );
  return { person_num: result.persons.length, driver_num: 1, person_info: [{ location, attributes }] };
}

export function driverBehaviorResponse(logId: number, result: DriverBehaviorResult) {
  return { ...driverBehaviorResult(result), log_id: logId };
}
