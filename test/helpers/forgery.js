'use strict';
/**
 * Mutations for forged deliveries that can never hand back the genuine value. A forgery that happens to
 * equal what it forges is accepted (rightly), and the test that expected a refusal fails by chance:
 * the reliability suite's first "one character changed" token did that whenever the token began with a
 * digit, `-` or `_`, since changing their case changes nothing.
 */

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdef';

/**
 * The text with the character at `index` replaced by the next one of `alphabet` (so the result stays
 * in the alphabet a server would accept, and always differs from the input).
 */
function changeOneCharacter(text, { index = 0, alphabet = BASE64URL } = {}) {
	const value = String(text);
	if (value.length === 0) throw new Error('changeOneCharacter: nothing to change in an empty text');
	const at = ((index % value.length) + value.length) % value.length;
	const position = alphabet.indexOf(value[at]);
	const replacement = position === -1 ? alphabet[0] : alphabet[(position + 1) % alphabet.length];
	return differs(value, value.slice(0, at) + replacement + value.slice(at + 1));
}

/**
 * A value from `make()` that is not `genuine`: for random forgeries (a guessed token or secret), where
 * equality is unlikely but would make the test wrong rather than the code.
 */
function otherThan(genuine, make) {
	for (let tries = 0; tries < 100; tries++) {
		const value = make();
		if (value !== genuine) return value;
	}
	throw new Error('otherThan: could not make a value different from the genuine one');
}

/** Guards a mutation: throws when it left its input unchanged, instead of forging nothing. */
function differs(original, forged) {
	if (forged === original) throw new Error(`forgery equals the genuine value (${String(original).length} characters)`);
	return forged;
}

module.exports = { changeOneCharacter, otherThan, differs, BASE64URL, HEX };
