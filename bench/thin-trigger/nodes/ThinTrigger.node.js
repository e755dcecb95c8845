'use strict';
/**
 * The thinnest community trigger n8n allows: one POST webhook, answered when received, whose
 * webhook() hands the parsed body to the workflow and does nothing else. It is the reference
 * ("workflow C") that the Klivo Trigger is measured against in bench/: whatever n8n costs any
 * community trigger, this costs too.
 */
class ThinTrigger {
	constructor() {
		this.description = {
			displayName: 'Thin Trigger',
			name: 'thinTrigger',
			group: ['trigger'],
			// Like the Klivo Trigger: n8n evaluates an expression per request for typeVersion 1 webhook
			// nodes (see BENCHMARKS.md); workflow C uses 1.1, experiment C1 uses 1.
			version: [1, 1.1],
			description: 'Starts the workflow with the request body (benchmark reference)',
			defaults: { name: 'Thin Trigger' },
			inputs: [],
			outputs: ['main'],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'thin' }],
			properties: [],
		};
	}

	async webhook() {
		return { workflowData: [this.helpers.returnJsonArray(this.getBodyData())] };
	}
}

module.exports = { ThinTrigger };
