#!/usr/bin/env node
/*
 * Runs CSL test-suite fixtures through citeproc-js exactly as citeproc-test-runner's lib/sys.js does, to
 * check a known failure's reason ("citeproc-js 1.4.61 renders this fixture exactly as we do"):
 *
 *   LOCDIR=$(.venv/bin/python -c "import citeproc,os;print(os.path.join(os.path.dirname(citeproc.__file__),'data','locales'))") \
 *     node tools/citeproc-js/fixture.js ../shared/csl-test-suite/humans/FIXTURE.txt ...
 *
 * Prints "<fixture> JS-PASS|JS-FAIL" per file; V=1 also prints citeproc-js's output next to the fixture's.
 * Needs tools/citeproc-js/node_modules (cd tools/citeproc-js && npm ci). Not part of the pytest run.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const CSL = require('citeproc');
const LOC = process.env.LOCDIR;
function runOne(file) {
  const txt = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const sec = {};
  const re = />>=+ *([A-Z0-9-]+) *=+>>\n?([\s\S]*?)\n?<<=+ *\1 *=+<</g;
  let m;
  while ((m = re.exec(txt))) sec[m[1]] = m[2];
  let items = JSON.parse(sec.INPUT);
  let cache = {};
  let ids = [];
  function setCache() { cache = {}; ids = []; for (const it of items) { cache[it.id] = it; ids.push(it.id); } }
  setCache();
  const sys = {
    retrieveItem: (id) => cache[id],
    retrieveLocale: (lang) => { try { return fs.readFileSync(path.join(LOC, `locales-${lang}.xml`), 'utf8').replace(/\s*<\?[^>]*\?>\s*\n/g, ''); } catch (e) { return false; } },
  };
  const eng = new CSL.Engine(sys, sec.CSL);
  const modes = sec.MODE.trim().split('-');
  const mode = modes[0];
  const sub = {}; for (const s of modes.slice(1)) sub[s] = true;
  if (sub.plain) eng.setOutputFormat('plain');
  if (sec.OPTIONS) { const o = JSON.parse(sec.OPTIONS); for (const k in o) if (k !== 'variableWrapper') eng.opt.development_extensions[k] = o[k]; }
  const CITATIONS = sec.CITATIONS ? JSON.parse(sec.CITATIONS) : null;
  let CI = sec['CITATION-ITEMS'] ? JSON.parse(sec['CITATION-ITEMS']) : null;
  if (sec.BIBENTRIES) for (const s of JSON.parse(sec.BIBENTRIES)) eng.updateItems(s, sub.nosort);
  else if (!CITATIONS) eng.updateItems(ids, sub.nosort);
  if (!CI && !CITATIONS) CI = [eng.registry.reflist.map((it) => ({ id: it.id }))];
  let doc = [];
  function updateDoc() {
    for (const citation of CITATIONS) {
      const [data, result] = eng.processCitationCluster(citation[0], citation[1], citation[2]);
      for (let j = doc.length - 1; j > -1; j--) if (!eng.registry.citationreg.citationById[doc[j].citationID]) doc.splice(j, 1);
      for (const d of doc) d.prefix = '..';
      for (let j = 0; j < result.length; j++) {
        for (let k = 0; k < doc.length; k++) if (doc[k].citationID === result[j][2]) { doc[k] = { prefix: '>>', citationID: doc[k].citationID, String: result[j][1] }; result[j] = null; break; }
      }
      for (const ins of result) if (ins) doc.splice(ins[0], 0, { prefix: '>>', citationID: ins[2], String: ins[1] });
    }
}
let out = [];
if (CI) for (const c of CI) out.push(eng.makeCitationCluster(c));
else { updateDoc(); if (sec.INPUT2) { items = JSON.parse(sec.INPUT2); setCache(); updateDoc(); } out = doc.map((e, i) => `${e.prefix}[${i}] ${e.String}`); }
let ret = out.join('\n');
if (mode === 'bibliography') { const b = sec.BIBSECTION ? eng.makeBibliography(JSON.parse(sec.BIBSECTION)) : eng.makeBibliography(); ret = b[0].bibstart + b[1].join('') + b[0].bibend; }
ret = ret.replace(/\r\n/g, '\n');
return [ret, sec.RESULT];
}

const verbose = process.argv.length === 3 || process.env.V;
for (const f of process.argv.slice(2)) {
  let ret, want;
  try { [ret, want] = runOne(f); } catch (e) { console.log(path.basename(f, '.txt') + ' JS-ERROR ' + String(e).slice(0, 100)); continue; }
  const ok = ret.trim() === want.trim();
  console.log(path.basename(f, '.txt') + (ok ? ' JS-PASS' : ' JS-FAIL'));
  if (!ok && verbose) console.log('--- js:\n' + ret + '\n--- fixture:\n' + want);
}
