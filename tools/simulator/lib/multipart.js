'use strict';

/** A small multipart/form-data reader: enough for Rails-style `attachments[]` uploads. */

function boundaryOf(contentType) {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || '');
	return match ? match[1] || match[2].trim() : null;
}

function parseMultipart(bytes, contentType) {
	const boundary = boundaryOf(contentType);
	if (!boundary) return null;
	const delimiter = Buffer.from(`--${boundary}`);
	const fields = {};
	const files = [];
	let start = bytes.indexOf(delimiter);
	while (start !== -1) {
		const headerStart = start + delimiter.length;
		if (bytes.slice(headerStart, headerStart + 2).toString() === '--') break;
		const next = bytes.indexOf(delimiter, headerStart);
		if (next === -1) break;
		// Each part sits between "\r\n" after the delimiter and "\r\n" before the next one.
		const part = bytes.slice(headerStart + 2, next - 2);
		const split = part.indexOf('\r\n\r\n');
		if (split !== -1) {
			const headers = part.slice(0, split).toString('utf8');
			const data = part.slice(split + 4);
			const disposition = /content-disposition:[^\r\n]*/i.exec(headers);
			const name = disposition && /\bname="([^"]*)"/i.exec(disposition[0]);
			const filename = disposition && /\bfilename="([^"]*)"/i.exec(disposition[0]);
			const type = /content-type:\s*([^\r\n]+)/i.exec(headers);
			if (name && filename) {
				files.push({ field: name[1], file_name: filename[1], content_type: type ? type[1].trim() : 'application/octet-stream', data: Buffer.from(data) });
			} else if (name) {
				fields[name[1]] = data.toString('utf8');
			}
		}
		start = next;
	}
	return { fields, files };
}

module.exports = { parseMultipart };
