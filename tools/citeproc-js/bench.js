#!/usr/bin/env node
/*
 * Times citeproc-js on the corpus: items rendered per second per style, style parsed once.
 * Called by bench/engine_speed.py (which times refsvc and citeproc-py in the same run):
 *
 *   node bench.js [--seconds 2] [--locale en-US] [--styles apa,modern-language-association,...]
 *
 * Prints one JSON object: {style: {mode: {items, seconds, per_second, mean_per_second}}}, where per_second
 * is the rate of the fastest pass over the corpus and mean_per_second the rate over all passes. Modes:
 *   unit       per item, in text and in html: updateItems([id]), makeBibliography(), makeCitationCluster([{id}])
 *              (one bibliography entry + one in-text citation per format)
 *   all_forms  per item, in text and in html: every form render.js writes to the fixtures (bibliography,
 *              in_text, narrative; note and short_note for note styles)
 * Every pass over the corpus uses new item ids (id + "~p<n>") and titles (" <n>" appended), so no
 * per-id cache of citeproc-js's registry is ever reused: each timed item is new to the engine. Untimed: building the engines, copying
 * the items, and one warm-up pass over the corpus per mode (V8 needs it to optimise).
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { cslDirs, makeSys, newEngine, renderItem, STYLES } = require('./render.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const SECONDS = Number(arg('seconds', '2'));
const LOCALE = arg('locale', 'en-US');
const STYLE_IDS = arg('styles', STYLES.join(',')).split(',');
const CORPUS = path.resolve(__dirname, '..', '..', 'tests', 'corpus', 'items.json');

function main() {
  const dirs = cslDirs();
  const base = JSON.parse(fs.readFileSync(CORPUS, 'utf8'));
  const table = {};  // passes add their renamed copies here; retrieveItem reads from it
  const passItems = (n) => base.map((item) => {
    const copy = JSON.parse(JSON.stringify(item));
    copy.id = `${item.id}~p${n}`;
    if (copy.title) copy.title = `${copy.title} ${n}`;  // as bench/engine_speed.py does for refsvc
    table[copy.id] = copy;
    return copy.id;
  });
  let pass = 0;
  const out = {};
  for (const style of STYLE_IDS) {
    const styleXml = fs.readFileSync(path.join(dirs.styles, `${style}.csl`), 'utf8');
    const engines = ['text', 'html'].map((fmt) => newEngine(makeSys(table, dirs.locales, {}), styleXml, LOCALE, fmt));
    const isNote = engines[0].opt.xclass === 'note';
    const modes = {
      unit: (engine, id) => {
        engine.updateItems([id]);
        engine.makeBibliography();
        engine.makeCitationCluster([{ id }]);
      },
      all_forms: (engine, id) => renderItem(engine, id, isNote),
    };
    out[style] = {};
    for (const [mode, work] of Object.entries(modes)) {
      for (const id of passItems(pass++)) engines.forEach((e) => work(e, id));  // warm-up pass: JIT settles
      let items = 0;
      let elapsed = 0;
      let best = 0;
      while (elapsed < SECONDS) {
        const ids = passItems(pass++);  // copying the items is not timed
        const start = process.hrtime.bigint();
        for (const id of ids) engines.forEach((e) => work(e, id));
        const spent = Number(process.hrtime.bigint() - start) / 1e9;
        items += ids.length;
        elapsed += spent;
        best = Math.max(best, ids.length / spent);
      }
      // The fastest pass is the figure (the machine is shared); the mean is kept beside it.
      out[style][mode] = { items, seconds: elapsed, per_second: best, mean_per_second: items / elapsed };
      for (const key of Object.keys(table)) delete table[key];
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
