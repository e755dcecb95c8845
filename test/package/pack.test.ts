import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the published package', () => {
	// `npm test` builds first, so dist/ is what `npm publish` would take.
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
	)[0] as { files: Array<{ path: string }> };
	const files = packed.files.map((f) => f.path);

	it('ships only dist/, README.md, LICENSE and package.json', () => {
		const outside = files.filter(
			(file) => !file.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(file),
		);
		expect(outside).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
	});

	it('ships every file the n8n block points at, with icons and codex files', () => {
		const declared: string[] = [...pkg.n8n.credentials, ...pkg.n8n.nodes];
		expect(declared.length).toBe(3);
		for (const file of declared) expect(files).toContain(file);
		for (const asset of ['dist/nodes/Klivo/klivo.svg', 'dist/nodes/Klivo/klivo.dark.svg', 'dist/nodes/Klivo/Klivo.node.json', 'dist/nodes/Klivo/KlivoTrigger.node.json']) {
			expect(files).toContain(asset);
		}
	});

	it('ships no tests, simulator, sources or source maps of tests', () => {
		expect(files.filter((file) => /(^|\/)test\/|simulator|\.ts$(?<!\.d\.ts$)/.test(file))).toEqual([]);
	});

	it('has no runtime dependencies and n8n-workflow only as a peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.keywords).toContain('n8n-community-node-package');
	});

	it('loads from dist as n8n would: classes with the contract names', () => {
		const load = (file: string) => require(path.join(root, file));
		const { KlivoApi } = load(pkg.n8n.credentials[0]);
		const { Klivo } = load(pkg.n8n.nodes[0]);
		const { KlivoTrigger } = load(pkg.n8n.nodes[1]);
		expect(new KlivoApi().name).toBe('klivoApi');
		expect(new Klivo().description.name).toBe('klivo');
		expect(new KlivoTrigger().description.name).toBe('klivoTrigger');
		expect(new Klivo().description.usableAsTool).toBe(true);
	});
});
