#!/usr/bin/env node
/*
 * Times citeproc-js rendering whole reference lists, for bench/references_speed.py (same run, same lists):
 *
 *   node reflist_bench.js --input LISTS.json --styles apa,ieee [--locale en-US] [--passes 3]
 *
 * LISTS.json: {"<n>": {"items": [...], "citations": [{cites, note_number?}]}}. For each style and list,
 * the timed work is what POST /v1/references asks of refsvc, in text and in HTML (one engine per format,
 * built before timing): updateItems(all ids), processCitationCluster for every citation in order
 * (CSL.ASSUME_ALL_ITEMS_REGISTERED, as references.js), makeBibliography(). Every pass renames the items
 * (id + "~p<n>", title + " <n>") so no registry entry is reused. Prints {style: {n: best seconds}}.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const CSL = require('citeproc');
const { cslDirs, makeSys, newEngine } = require('./render.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function renderList(engine, ids, citations) {
  engine.updateItems(ids);
  const pre = [];
  citations.forEach((citation, i) => {
    const noteIndex = citation.note_number === undefined ? i + 1 : citation.note_number;
    const cite = { citationID: `c${i}`, citationItems: citation.cites, properties: { noteIndex } };
    engine.processCitationCluster(cite, pre, [], CSL.ASSUME_ALL_ITEMS_REGISTERED);
    pre.push([cite.citationID, noteIndex]);
  });
  return engine.makeBibliography();
}

function main() {
  const dirs = cslDirs();
  const lists = JSON.parse(fs.readFileSync(arg('input'), 'utf8'));
  const passes = Number(arg('passes', '3'));
  const locale = arg('locale', 'en-US');
  const out = {};
  let pass = 0;
  for (const style of arg('styles', 'apa').split(',')) {
    const styleXml = fs.readFileSync(path.join(dirs.styles, `${style}.csl`), 'utf8');
    out[style] = {};
    for (const [n, list] of Object.entries(lists)) {
      let best = Infinity;
      for (let k = 0; k <= passes; k += 1) {  // pass 0 warms the JIT up and is not counted
        pass += 1;
        const table = {};
        const rename = (id) => `${id}~p${pass}`;
        for (const item of list.items) {
          const copy = JSON.parse(JSON.stringify(item));
          copy.id = rename(item.id);
          if (copy.title) copy.title = `${copy.title} ${pass}`;
          table[copy.id] = copy;
        }
        const citations = list.citations.map((c) => ({ ...c, cites: c.cites.map((x) => ({ ...x, id: rename(x.id) })) }));
        const engines = ['text', 'html'].map((fmt) => newEngine(makeSys(table, dirs.locales, {}), styleXml, locale, fmt));
        const start = process.hrtime.bigint();
        for (const engine of engines) renderList(engine, Object.keys(table), citations);
        const spent = Number(process.hrtime.bigint() - start) / 1e9;
        if (k > 0) best = Math.min(best, spent);
      }
      out[style][n] = best;
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
