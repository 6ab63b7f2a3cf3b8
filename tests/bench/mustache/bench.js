// bench.js - mustache.js on the same templates and data as bench.c.
// usage: node bench.js BENCH_DIR OUT_DIR [SECONDS]
// mustache.js 4.x has no template inheritance, so the dashboard uses
// js/dashboard.mustache: the layout with its blocks filled in by hand (same
// bytes out). Mustache.escape is set to the portal's escaping (buf_html:
// & < > " ' ` =) so outputs can be compared byte for byte.
'use strict';
const fs = require('fs');
const path = require('path');
const dir = process.argv[2], out = process.argv[3];
const secs = parseFloat(process.argv[4] || '2');
const Mustache = require(path.join(dir, 'node_modules', 'mustache'));

const ent = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };
Mustache.escape = (s) => String(s).replace(/[&<>"'`=]/g, (c) => ent[c]);

const read = (p) => fs.readFileSync(path.join(dir, p), 'utf8');
const work = [
	{ name: 'fortunes', tmpl: read('templates/fortunes.mustache'), partials: {} },
	{ name: 'dashboard', tmpl: read('js/dashboard.mustache'), partials: { row: read('templates/row.mustache') } },
];
for (const w of work) {
	const data = JSON.parse(fs.readFileSync(path.join(out, w.name + '.json'), 'utf8'));
	const html = Mustache.render(w.tmpl, data, w.partials);
	fs.writeFileSync(path.join(out, w.name + '.js.html'), html);
	// CPU time of the process (GC threads included), as bench.c measures
	const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
	let n = 0;
	const t0 = cpu();
	let t = 0;
	do {
		for (let k = 0; k < 16; k++) Mustache.render(w.tmpl, data, w.partials);
		n += 16;
		t = cpu() - t0;
	} while (t < secs);
	console.log(`${w.name} js ${(n / t).toFixed(1)}`);
}
