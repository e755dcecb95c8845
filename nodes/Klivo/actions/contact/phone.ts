/**
 * Klivo stores phone numbers in E.164 (`+` and 2 to 15 digits, the first not 0) and answers anything
 * else with a 422 that does not say what was wrong. People type numbers with spaces, dashes, dots,
 * parentheses, an international `00` prefix or a national trunk `0` in parentheses, so those are
 * turned into E.164 here; what cannot be (no country code, letters) is refused before any request.
 */

export const PHONE_EXAMPLE = '+55 11 98765-4321 (sent as +5511987654321)';

/** Klivo's own rule is 2 to 15 digits; no real number is shorter than 7 (Niue: +683 and 4 digits). */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Italy (and San Marino, the Vatican) keep the leading 0 after the country code: it is not a trunk prefix. */
const KEEPS_LEADING_ZERO = new Set(['39', '378', '379']);

export type PhoneResult = { ok: true; e164: string } | { ok: false; problem: string };

export function toE164(raw: unknown): PhoneResult {
	let text = String(raw ?? '').trim();
	// Copied from links and Twilio/WhatsApp addresses.
	text = text.replace(/^(tel|whatsapp|sms):/i, '').trim();
	if (text === '') return { ok: false, problem: 'The phone number is empty' };
	if (/[^\d\s+().\-/\u2010-\u2015]/.test(text)) {
		return { ok: false, problem: `'${text}' is not a phone number: it may only hold digits, spaces, + - . / and ( )` };
	}
	if (text.startsWith('00')) text = `+${text.slice(2)}`;
	if (!text.startsWith('+')) {
		return { ok: false, problem: `'${text}' has no country code: start it with + and the country code` };
	}
	if (text.indexOf('+', 1) !== -1) return { ok: false, problem: `'${text}' holds more than one +` };

	// "+44 (0)20 ..." and "+55 (011) ...": the 0 in parentheses is dialled only inside the country.
	const trunk = /^\+\s*(\d{1,3})[\s.\-\u2010-\u2015]*\(0(\d*)\)/.exec(text);
	if (trunk && !KEEPS_LEADING_ZERO.has(trunk[1])) {
		text = `+${trunk[1]}${trunk[2]}${text.slice(trunk[0].length)}`;
	}
	const e164 = `+${text.replace(/\D/g, '')}`;
	if (!E164.test(e164)) {
		const digits = e164.length - 1;
		const why =
			digits > 15
				? `has ${digits} digits, more than the 15 a phone number can have`
				: digits < 7
					? 'is too short for a phone number with its country code'
					: 'starts with 0 after the +, where the country code belongs';
		return { ok: false, problem: `'${String(raw).trim()}' ${why}` };
	}
	return { ok: true, e164 };
}
