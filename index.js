'use strict';
// n8n finds the nodes through the "n8n" block of package.json, so the published package has no entry
// point. This file lets the repository itself be required (after `npm run build`), e.g. by scripts.
module.exports = {
	Klivo: require('./dist/nodes/Klivo/Klivo.node.js').Klivo,
	KlivoTrigger: require('./dist/nodes/Klivo/KlivoTrigger.node.js').KlivoTrigger,
	KlivoApi: require('./dist/credentials/KlivoApi.credentials.js').KlivoApi,
};
