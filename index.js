'use strict';
// n8n loads the package through the "n8n" block of package.json; this entry point only lets
// `require('n8n-nodes-klivo')` reach the compiled classes (after `npm run build`).
module.exports = {
	Klivo: require('./dist/nodes/Klivo/Klivo.node.js').Klivo,
	KlivoTrigger: require('./dist/nodes/Klivo/KlivoTrigger.node.js').KlivoTrigger,
	KlivoApi: require('./dist/credentials/KlivoApi.credentials.js').KlivoApi,
};
