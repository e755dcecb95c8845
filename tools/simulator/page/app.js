'use strict';
/*
 * The simulator's chat page. It polls one JSON view every second (GET /_sim/accounts/:a/inbox) and
 * redraws only when it changed; the customer box posts to the control API's customer-message route,
 * which stores an incoming message and delivers message_created to the registered webhooks.
 * Every text from the server is set with textContent, never as HTML.
 */
(function () {
	const POLL_MS = 1000;
	const MAX_FILE_BYTES = 700 * 1024;
	const params = new URLSearchParams(location.search);
	const account = params.get('account') || '1';
	let selectedId = Number((location.hash.match(/conversation=(\d+)/) || [])[1]) || null;
	let lastText = '';
	let view = null;
	let polling = false;
	let pendingFiles = [];

	const $ = (id) => document.getElementById(id);
	const el = (tag, className, text) => {
		const node = document.createElement(tag);
		if (className) node.className = className;
		if (text !== undefined && text !== null) node.textContent = String(text);
		return node;
	};
	const time = (seconds) => {
		if (!seconds) return '';
		const at = new Date(seconds * 1000);
		const clock = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
		return at.toDateString() === new Date().toDateString() ? clock : `${at.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${clock}`;
	};
	const preview = (last) => {
		if (!last) return 'No messages';
		const prefix = last.kind === 'note' ? 'Note: ' : last.kind === 'outgoing' ? 'You: ' : '';
		const text = last.content || (last.attachments ? `[${last.attachments} attachment${last.attachments > 1 ? 's' : ''}]` : '');
		return prefix + text;
	};

	function labelsOf(labels) {
		const box = el('span', 'labels');
		for (const label of labels || []) box.appendChild(el('span', 'label', label));
		return box;
	}

	function renderList() {
		const list = $('conversations');
		list.replaceChildren();
		if (!view.conversations.length) list.appendChild(el('li', 'empty', 'No conversations'));
		for (const c of view.conversations) {
			const item = el('li');
			item.dataset.conversationId = String(c.id);
			if (view.selected && c.id === view.selected.id) item.classList.add('selected');
			const top = el('div', 'row');
			top.appendChild(el('span', 'conv-name', c.contact.name));
			top.appendChild(el('span', 'muted small', `#${c.id} · ${time(c.last_activity_at)}`));
			item.appendChild(top);
			item.appendChild(el('div', 'conv-preview', preview(c.last_message)));
			const meta = el('div', 'conv-meta');
			meta.appendChild(el('span', `status ${c.status}`, c.status));
			meta.appendChild(el('span', 'muted', c.assignee ? c.assignee.name : 'Unassigned'));
			if (c.team) meta.appendChild(el('span', 'muted', `· ${c.team}`));
			meta.appendChild(labelsOf(c.labels));
			item.appendChild(meta);
			item.addEventListener('click', () => select(c.id));
			list.appendChild(item);
		}
	}

	function renderMessage(m) {
		const item = el('li', `message ${m.kind}`);
		item.dataset.messageId = String(m.id);
		if (m.kind !== 'activity') item.appendChild(el('div', 'who', m.sender.name));
		if (m.content) item.appendChild(el('div', 'content', m.content));
		if (m.attachments.length) {
			const files = el('div', 'attachments');
			for (const a of m.attachments) {
				const link = el('a');
				link.href = a.url;
				link.target = '_blank';
				link.rel = 'noopener';
				if (a.file_type === 'image') {
					const img = el('img');
					img.src = a.url;
					img.alt = a.file_name;
					link.appendChild(img);
				} else {
					link.textContent = `${a.file_name} (${Math.max(1, Math.round(a.file_size / 1024))} KB)`;
					link.className = 'file';
				}
				files.appendChild(link);
			}
			item.appendChild(files);
		}
		if (m.kind !== 'activity') item.appendChild(el('div', 'when', time(m.created_at)));
		return item;
	}

	function renderChat() {
		const c = view.selected;
		const box = $('messages');
		const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
		$('composer').hidden = !c;
		if (!c) {
			box.replaceChildren(el('li', 'empty', 'No conversation'));
			return;
		}
		$('contact-name').textContent = c.contact.name;
		$('conversation-number').textContent = `#${c.id}`;
		$('inbox-name').textContent = c.inbox.name ? `· ${c.inbox.name}` : '';
		const status = $('conversation-status');
		status.textContent = c.status;
		status.className = `status ${c.status}`;
		$('conversation-assignee').textContent = c.assignee ? `${c.assignee.name}${c.assignee.type === 'bot' ? ' (bot)' : ''}` : 'Unassigned';
		$('conversation-team').textContent = c.team || 'None';
		$('conversation-priority').textContent = c.priority || 'None';
		$('conversation-labels').replaceChildren(...labelsOf(c.labels).childNodes);
		$('customer-name').textContent = `(${c.contact.name})`;
		box.replaceChildren(...c.messages.map(renderMessage));
		if (atBottom || box.dataset.shown !== String(c.id)) box.scrollTop = box.scrollHeight;
		box.dataset.shown = String(c.id);
	}

	function renderWebhooks() {
		const hooks = view.webhooks.filter((w) => !w.disabled);
		const node = $('webhooks');
		node.classList.toggle('none', hooks.length === 0);
		node.textContent = hooks.length
			? `${hooks.length} webhook${hooks.length > 1 ? 's' : ''} registered: ${hooks.map((w) => new URL(w.url).host).join(', ')}`
			: 'No webhook registered: activate a workflow with a Klivo Trigger in n8n';
	}

	async function poll() {
		if (polling) return;
		polling = true;
		try {
			const query = selectedId ? `?conversation=${selectedId}` : '';
			const response = await fetch(`/_sim/accounts/${encodeURIComponent(account)}/inbox${query}`, { cache: 'no-store' });
			const text = await response.text();
			if (!response.ok) throw new Error(text);
			if (text !== lastText) {
				lastText = text;
				view = JSON.parse(text);
				$('account-id').textContent = view.account_id;
				renderWebhooks();
				renderList();
				renderChat();
			}
		} catch (error) {
			notice(`The simulator does not answer (${error.message || error}); retrying…`, 'error');
		} finally {
			polling = false;
		}
	}

	function select(id) {
		selectedId = id;
		history.replaceState(null, '', `${location.pathname}${location.search}#conversation=${id}`);
		lastText = '';
		void poll();
	}

	function notice(text, kind) {
		const node = $('notice');
		node.textContent = text;
		node.className = `notice ${kind || ''}`;
	}

	function readFile(file) {
		return new Promise((resolve, reject) => {
			const reader = new FileReader();
			reader.onload = () => resolve({ file_name: file.name, content_type: file.type || 'application/octet-stream', data_base64: String(reader.result).split(',')[1] || '' });
			reader.onerror = () => reject(reader.error);
			reader.readAsDataURL(file);
		});
	}

	$('customer-file').addEventListener('change', async (event) => {
		const files = [...event.target.files];
		const tooBig = files.find((f) => f.size > MAX_FILE_BYTES);
		if (tooBig) {
			notice(`${tooBig.name} is larger than 700 KB`, 'error');
			event.target.value = '';
			return;
		}
		pendingFiles = await Promise.all(files.map(readFile));
		$('customer-files').textContent = pendingFiles.length ? `Attached: ${pendingFiles.map((f) => f.file_name).join(', ')}` : '';
	});

	async function sendAsCustomer() {
		const c = view && view.selected;
		const input = $('customer-text');
		const content = input.value.trim();
		if (!c || (!content && !pendingFiles.length)) return;
		const button = $('customer-send');
		button.disabled = true;
		notice('Sending…');
		try {
			const response = await fetch(`/_sim/accounts/${encodeURIComponent(account)}/conversations/${c.id}/customer-message`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ content: content || null, attachments: pendingFiles }),
			});
			const body = await response.json();
			if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
			input.value = '';
			pendingFiles = [];
			$('customer-file').value = '';
			$('customer-files').textContent = '';
			const deliveries = body.deliveries || [];
			const ok = deliveries.filter((d) => d.ok).length;
			if (!deliveries.length) notice('Stored. No webhook is registered, so no workflow was told.', 'error');
			else if (ok === deliveries.length) notice(`Delivered message_created to ${ok} webhook${ok > 1 ? 's' : ''}.`, 'ok');
			else notice(`Delivered to ${ok} of ${deliveries.length} webhooks; ${deliveries.length - ok} failed (${deliveries.filter((d) => !d.ok).map((d) => d.status || d.error).join(', ')}).`, 'error');
		} catch (error) {
			notice(`Not sent: ${error.message || error}`, 'error');
		} finally {
			button.disabled = false;
			lastText = '';
			void poll();
		}
	}

	$('composer').addEventListener('submit', (event) => {
		event.preventDefault();
		void sendAsCustomer();
	});
	$('customer-text').addEventListener('keydown', (event) => {
		if (event.key === 'Enter' && !event.shiftKey) {
			event.preventDefault();
			void sendAsCustomer();
		}
	});

	void poll();
	setInterval(poll, POLL_MS);
})();
