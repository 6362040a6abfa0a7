/** Option fallbacks as the seed documents them, and catalogue codes the dialect adds. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryOption, flagOption, requiredField } from '../../../src/api/baidu/options.js';
import { BAIDU_ERRORS, errorResponse } from '../../../src/api/baidu/errors.js';
import { ServiceError } from '../../../src/errors.js';

describe('option fallbacks', () => {
  test('show: true/false in any case; any other value or none is the default (false)', () => {
    assert.equal(flagOption('true'), true);
    assert.equal(flagOption(' TRUE '), true);
    assert.equal(flagOption('false', true), false);
    for (const odd of [undefined, '', 'yes', '1', 'maybe']) assert.equal(flagOption(odd), false, String(odd));
  });

  test('return_crop: 1/0 (or true/false); an unrecognised word is ignored', () => {
    assert.equal(binaryOption('1'), true);
    assert.equal(binaryOption(1 as unknown as string), true);
    assert.equal(binaryOption('0', true), false);
    assert.equal(binaryOption('banana'), false);
    assert.equal(binaryOption('banana', true), true);
  });

  test('a missing required field → 282003 "missing parameters: {name}"', () => {
    assert.equal(requiredField({ area: '1,2,3' }, 'area'), '1,2,3');
    assert.throws(() => requiredField({ area: ' ' }, 'area'), (err) => {
      assert.ok(err instanceof ServiceError);
      const body = errorResponse(7, err);
      assert.deepEqual(body, { log_id: 7, error_code: 282003, error_msg: 'missing parameters: area' });
      return true;
    });
  });

  test('the seed\'s catalogue codes are all mapped', () => {
    const codes = new Set<number>(Object.values(BAIDU_ERRORS).map((e) => e.code));
    for (const c of [1, 2, 3, 4, 6, 13, 14, 15, 17, 18, 19, 100, 110, 111, 216100, 216101, 216102, 216200, 216201, 216202, 216203, 216630, 216634, 282000, 282003, 282004, 282005, 282006, 282114]) {
      assert.ok(codes.has(c), `code ${c}`);
    }
  });
});
