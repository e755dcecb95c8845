/**
 * The reliability suite's forgeries must never equal what they forge (issue: a token starting with a
 * digit was "changed" by flipping its case, which left it genuine about one run in five).
 */
'use strict';
const { BASE64URL, HEX, changeOneCharacter, differs, otherThan } = require('./forgery.js');

describe('changeOneCharacter', () => {
	test.each([
		['a digit', '7sQe1'],
		['a dash', '-sQe1'],
		['an underscore', '_sQe1'],
		['an upper-case letter', 'AsQe1'],
		['a lower-case letter', 'asQe1'],
		['the last character of the alphabet', '_'],
	])('a token starting with %s changes, and only its first character', (_what, token) => {
		const forged = changeOneCharacter(token);

		expect(forged).not.toBe(token);
		expect(forged).toHaveLength(token.length);
		expect(forged.slice(1)).toBe(token.slice(1));
		expect(BASE64URL).toContain(forged[0]);
	});

	test('every character of the alphabet, at every position of a token, gives a different token', () => {
		for (const c of BASE64URL) {
			const token = `${c}${c}${c}`;
			for (const index of [0, 1, 2, -1]) {
				const forged = changeOneCharacter(token, { index });
				expect(forged).not.toBe(token);
				expect([...forged].filter((x, i) => x !== token[i])).toHaveLength(1);
			}
		}
	});

	test('hex stays hex: the signature forgery differs and still looks like a signature', () => {
		for (const c of HEX) {
			const forged = changeOneCharacter(`${c}0ff`, { alphabet: HEX });
			expect(forged).toMatch(/^[0-9a-f]{4}$/);
			expect(forged).not.toBe(`${c}0ff`);
		}
	});

	test('a character outside the alphabet is replaced by one inside it', () => {
		expect(changeOneCharacter('=abc')).toBe('Aabc');
	});

	test('an empty text cannot be forged by changing a character', () => {
		expect(() => changeOneCharacter('')).toThrow(/empty/);
	});
});

describe('otherThan and differs', () => {
	test('otherThan skips a random value that happens to be the genuine one', () => {
		const values = ['genuine', 'genuine', 'other'];
		expect(otherThan('genuine', () => values.shift())).toBe('other');
	});

	test('otherThan gives up loudly rather than returning the genuine value', () => {
		expect(() => otherThan('same', () => 'same')).toThrow(/different/);
	});

	test('differs refuses a mutation that changed nothing (upper-casing a hex with no letters)', () => {
		expect(() => differs('0123', '0123'.toUpperCase())).toThrow(/equals the genuine/);
		expect(differs('00ab', '00AB')).toBe('00AB');
	});
});
