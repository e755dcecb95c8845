'use strict';

/** POST /conversations/filter and /contacts/filter: Chatwoot's condition lists (reference §2.3, §4.3). */

const { unprocessable, fail, SERVER_ERROR, isPlainObject } = require('./http');

const TEXT = ['equal_to', 'not_equal_to', 'contains', 'does_not_contain'];
const PRESENCE = ['equal_to', 'not_equal_to', 'is_present', 'is_not_present'];
const DATES = ['is_greater_than', 'is_less_than', 'days_before'];

const CONVERSATION_KEYS = {
	status: ['equal_to', 'not_equal_to'],
	priority: ['equal_to', 'not_equal_to'],
	assignee_id: PRESENCE,
	inbox_id: PRESENCE,
	team_id: PRESENCE,
	campaign_id: PRESENCE,
	display_id: TEXT,
	labels: PRESENCE,
	browser_language: ['equal_to', 'not_equal_to'],
	conversation_language: ['equal_to', 'not_equal_to'],
	referer: TEXT,
	mail_subject: TEXT,
	created_at: DATES,
	last_activity_at: DATES,
};

const CONTACT_KEYS = {
	name: TEXT,
	email: TEXT,
	phone_number: [...TEXT, 'starts_with'],
	identifier: ['equal_to', 'not_equal_to'],
	country_code: ['equal_to', 'not_equal_to'],
	city: TEXT,
	company_name: TEXT,
	labels: PRESENCE,
	created_at: DATES,
	last_activity_at: DATES,
	blocked: ['equal_to', 'not_equal_to'],
};

const lower = (v) => (v === null || v === undefined ? '' : String(v).toLowerCase());

function test(operator, actual, values) {
	const list = Array.isArray(actual) ? actual.map(lower) : null;
	const first = lower(values[0]);
	switch (operator) {
		case 'equal_to':
			return list ? values.some((v) => list.includes(lower(v))) : values.map(lower).includes(lower(actual));
		case 'not_equal_to':
			return list ? !values.some((v) => list.includes(lower(v))) : !values.map(lower).includes(lower(actual));
		case 'contains':
			return lower(actual).includes(first);
		case 'does_not_contain':
			return !lower(actual).includes(first);
		case 'starts_with':
			return lower(actual).startsWith(first);
		case 'is_present':
			return list ? list.length > 0 : actual !== null && actual !== undefined && actual !== '';
		case 'is_not_present':
			return list ? list.length === 0 : actual === null || actual === undefined || actual === '';
		case 'is_greater_than':
			return Number(actual) > Date.parse(values[0]) / 1000;
		case 'is_less_than':
			return Number(actual) < Date.parse(values[0]) / 1000;
		case 'days_before':
			return Number(actual) < Date.now() / 1000 - Number(values[0]) * 86400;
	}
	return false;
}

/** Returns a predicate over records, or throws Chatwoot's 422 `{"error"}`. */
function compile(body, keys, valueOf, customKeys) {
	if (!isPlainObject(body) || !Array.isArray(body.payload)) fail(SERVER_ERROR);
	const conditions = body.payload.map((condition, index) => {
		if (!isPlainObject(condition)) fail(SERVER_ERROR);
		const key = condition.attribute_key;
		const operators = keys[key] || (customKeys.includes(key) ? [...TEXT, ...PRESENCE, ...DATES] : null);
		if (!operators) {
			unprocessable(
				`Invalid attribute key - [${key}]. The key should be one of [${Object.keys(keys).join(',')}] or a custom attribute defined in the account.`,
			);
		}
		if (!operators.includes(condition.filter_operator)) {
			unprocessable(`Invalid operator. The allowed operators for ${key} are [${operators.join(',')}].`);
		}
		const values = Array.isArray(condition.values) ? condition.values : [condition.values];
		const needsValues = !['is_present', 'is_not_present'].includes(condition.filter_operator);
		if (needsValues && (values.length === 0 || values[0] === undefined || values[0] === null || values[0] === '')) {
			unprocessable(`Invalid value. The values provided for ${key} are invalid`);
		}
		const join = condition.query_operator;
		if (join !== undefined && join !== null && !['and', 'or'].includes(String(join).toLowerCase())) {
			unprocessable('Query operator must be either "AND" or "OR".');
		}
		// A trailing query operator is invalid SQL on the real server.
		if (index === body.payload.length - 1 && join) fail(SERVER_ERROR);
		return { key, operator: condition.filter_operator, values, join: join ? String(join).toLowerCase() : null };
	});
	return (record) => {
		let result = null;
		let pending = null;
		for (const condition of conditions) {
			const value = test(condition.operator, valueOf(record, condition.key), condition.values);
			result = result === null ? value : pending === 'or' ? result || value : result && value;
			pending = condition.join;
		}
		return result === null ? true : result;
	};
}

module.exports = { compile, CONVERSATION_KEYS, CONTACT_KEYS };
