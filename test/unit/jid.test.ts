// `number` → JID normalization (compat Appendix A.1) and the variants an existence check tries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brazilVariants, normalizeNumber, numberVariants } from '../../src/wire/jid.js';

const user = (digits: string) => `${digits}@s.whatsapp.net`;

describe('normalizeNumber', () => {
  const table: Array<[what: string, input: string, expected: string]> = [
    // plain numbers and formatting
    ['plain digits', '447911123456', user('447911123456')],
    ['+, spaces and parentheses removed', '+44 (7911) 123 456', user('447911123456')],
    ['surrounding whitespace ignored', '  447911123456 ', user('447911123456')],
    ['Brazilian number written with +, spaces, parentheses and a dash', '+55 (11) 99999-9999', user('5511999999999')],
    ['a short dashed number is just digits', '5511-9999-9999', user('551199999999')],
    ['an unknown domain is dropped', '447911123456@c.us', user('447911123456')],

    // Brazil: the 9th digit
    ['BR DDD 11 (< 31) keeps the 9', '5511987654321', user('5511987654321')],
    ['BR DDD 21 (< 31) keeps the 9 even for a subscriber starting with 8', '5521987654321', user('5521987654321')],
    ['BR DDD 28 (< 31) keeps the 9', '5528991234567', user('5528991234567')],
    ['BR DDD 31, subscriber starting with 8 (≥ 7): the 9 is dropped', '5531987654321', user('553187654321')],
    ['BR DDD 31, subscriber starting with 7: the 9 is dropped', '5531971234567', user('553171234567')],
    ['BR DDD 85, subscriber starting with 9: the 9 is dropped', '5585999998888', user('558599998888')],
    ['BR DDD 31, subscriber starting with 6 (< 7): kept', '5531961234567', user('5531961234567')],
    ['BR DDD 31, subscriber starting with 1: kept', '5531912345678', user('5531912345678')],
    ['BR without the 9 (12 digits) stays as given', '553187654321', user('553187654321')],
    ['BR 13 digits whose 5th digit is not 9 is not touched', '5531887654321', user('5531887654321')],
    ['BR formatted, DDD ≥ 31', '+55 (31) 98765-4321', user('553187654321')],

    // Mexico / Argentina
    ['MX 52 with 13 digits loses its 3rd digit (the mobile 1)', '5215512345678', user('525512345678')],
    ['MX 52 with 12 digits stays', '525512345678', user('525512345678')],
    ['AR 54 with 13 digits loses its 3rd digit (the mobile 9)', '5491112345678', user('541112345678')],
    ['AR 54 with 12 digits stays', '541112345678', user('541112345678')],
    ['AR formatted', '+54 9 11 1234-5678', user('541112345678')],

    // groups
    ['a dashed id of 24 characters is a group', '5511999999999-1612345678', '5511999999999-1612345678@g.us'],
    ['a dashed group id keeps only digits and dashes', '5511999999999-1612345678 ', '5511999999999-1612345678@g.us'],
    ['18 digits are a group', '120363025246125486', '120363025246125486@g.us'],
    ['more than 18 digits are a group', '1203630252461254861', '1203630252461254861@g.us'],
    ['17 digits are a user', '12036302524612548', user('12036302524612548')],

    // JIDs used as given
    ['@g.us passes through', '120363025246125486@g.us', '120363025246125486@g.us'],
    ['@s.whatsapp.net passes through without the Brazilian rule', '5531987654321@s.whatsapp.net', '5531987654321@s.whatsapp.net'],
    ['@lid passes through', '123456789012345@lid', '123456789012345@lid'],
    ['@broadcast passes through', 'status@broadcast', 'status@broadcast'],
    ['a broadcast list passes through', '1712345678@broadcast', '1712345678@broadcast'],

    // device suffix
    ['a :device suffix is stripped from a JID', '5511999999999:12@s.whatsapp.net', '5511999999999@s.whatsapp.net'],
    ['a :device suffix is stripped from a LID', '123456789012345:7@lid', '123456789012345@lid'],
    ['a :device suffix on bare digits is stripped before the rules run', '5531987654321:3', user('553187654321')],
  ];

  for (const [what, input, expected] of table) {
    it(`${what}: ${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(normalizeNumber(input), expected);
    });
  }

  it('is idempotent on its own output', () => {
    for (const [, input] of table) {
      const once = normalizeNumber(input);
      assert.equal(normalizeNumber(once), once, input);
    }
  });
});

describe('brazilVariants', () => {
  it('gives a BR mobile JID with the 9 first, then without', () => {
    assert.deepEqual(brazilVariants(user('5531987654321')), [user('5531987654321'), user('553187654321')]);
  });

  it('gives the same pair for the form without the 9', () => {
    assert.deepEqual(brazilVariants(user('553187654321')), [user('5531987654321'), user('553187654321')]);
  });

  it('works for DDDs below 31 too (the existence check tries both)', () => {
    assert.deepEqual(brazilVariants(user('5511987654321')), [user('5511987654321'), user('551187654321')]);
  });

  it('appends @s.whatsapp.net to a bare number and ignores a leading +', () => {
    assert.deepEqual(brazilVariants('5531987654321'), [user('5531987654321'), user('553187654321')]);
    assert.deepEqual(brazilVariants('+553187654321'), [user('5531987654321'), user('553187654321')]);
  });

  it('leaves other countries, groups, LIDs and malformed BR numbers alone', () => {
    for (const jid of [user('447911123456'), '120363025246125486@g.us', '5531987654321@lid', user('5531887654321'), user('55319876543'), 'status@broadcast']) {
      assert.deepEqual(brazilVariants(jid), [jid], jid);
    }
  });
});

describe('numberVariants', () => {
  it('uses the Brazilian pair for Brazil', () => {
    assert.deepEqual(numberVariants(user('553187654321')), [user('5531987654321'), user('553187654321')]);
  });

  it('tries Mexico with the mobile 1 first', () => {
    assert.deepEqual(numberVariants(user('525512345678')), [user('5215512345678'), user('525512345678')]);
    assert.deepEqual(numberVariants(user('5215512345678')), [user('5215512345678'), user('525512345678')]);
  });

  it('tries Argentina with the mobile 9 first', () => {
    assert.deepEqual(numberVariants(user('541112345678')), [user('5491112345678'), user('541112345678')]);
  });

  it('gives just the JID elsewhere', () => {
    assert.deepEqual(numberVariants(user('447911123456')), [user('447911123456')]);
    assert.deepEqual(numberVariants('120363025246125486@g.us'), ['120363025246125486@g.us']);
  });
});
