import { randomInt } from 'node:crypto';

/**
 * Baidu's log_id is a uint64; ours stays below 2^53 so every JSON parser reads it exactly:
 * milliseconds since 2020 (41 bits) followed by 11 random bits.
 */
export function newLogId(): number {
  const EPOCH_2020 = 1577836800000;
  return (Date.now() - EPOCH_2020) * 2048 + randomInt(2048);
}
