#!/usr/bin/env node
/*
 * Renders the reference-list cases (tests/references/cases.json) with citeproc-js into the fixtures that
 * tests/api/test_references.py compares POST /v1/references against.
 *
 *   cd tools/citeproc-js && npm ci && node references.js
 *
 * Styles: the four of render.js, chicago-notes-bibliography-subsequent-ibid (ibid), ieee (numeric) and
 * oscola (legal notes).
 * Inputs: ../../tests/references/cases.json (each case: id, items = ids of tests/corpus/items.json or
 * tests/references/items.json, citations = [{cites: [{id, locator?, label?, prefix?, suffix?,
 * suppress-author?, author-only?}], note_number?}]), the same style and locale files as render.js.
 * Output: ../../tests/references/fixtures/<style>.<locale>.json: {generator, sources, cases: {id:
 * {entries: [{id, text, html}], citations: [{text, html}]}}}.
 *
 * How a case is rendered (the contract /v1/references follows), one fresh engine per case and format:
 *   1. engine.updateItems(case.items): the whole list is registered first, so citations are told apart
 *      against every item of the list, cited or not (as the bibliography is).
 *   2. Each citation, in order, goes through processCitationCluster(citation, citationsPre, [],
 *      CSL.ASSUME_ALL_ITEMS_REGISTERED) with properties.noteIndex = note_number, or the citation's
 *      place (1, 2, ...) when note_number is absent (0 = in the running text). citeproc-js answers
 *      with every citation whose text changed; the last text of each citation is kept.
 *   3. makeBibliography(): entries stripped of their csl-entry div as render.js does, ids from
 *      entry_ids.
 * "[NO_PRINTED_FORM]" counts as "".
 */
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const CSL = require('citeproc');
const { cslDirs, makeSys, newEngine, stripEntry, STYLES, LOCALES } = require('./render.js');

const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, 'tests', 'references');
const FORMATS = ['text', 'html'];
// The corpus styles, plus a note style with ibid, a numeric style and a legal note style (oscola: ibid,
// "(n 1)" back-references, initialize-with="").
const REF_STYLES = [...STYLES, 'chicago-notes-bibliography-subsequent-ibid', 'ieee', 'oscola'];

const sha256 = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
const clean = (s) => (s === '[NO_PRINTED_FORM]' ? '' : s);

function renderCase(engine, kase) {
  engine.updateItems(kase.items);
  const texts = [];
  const pre = [];
  kase.citations.forEach((citation, i) => {
    const noteIndex = citation.note_number === undefined ? i + 1 : citation.note_number;
    const cite = {
      citationID: `c${i}`,
      citationItems: citation.cites.map((c) => ({ ...c })),
      properties: { noteIndex },
    };
    const [, changed] = engine.processCitationCluster(cite, pre, [], CSL.ASSUME_ALL_ITEMS_REGISTERED);
    pre.push([cite.citationID, noteIndex]);
    for (const [index, text] of changed) texts[index] = clean(text);
  });
  const [meta, entries] = engine.makeBibliography();
  return { entries: entries.map((e, k) => ({ id: String(meta.entry_ids[k][0]), text: stripEntry(e) })), citations: texts };
}

function main() {
  const dirs = cslDirs();
  const casesText = fs.readFileSync(path.join(DIR, 'cases.json'), 'utf8');
  const itemsTexts = [path.join(ROOT, 'tests', 'corpus', 'items.json'), path.join(DIR, 'items.json')]
    .map((file) => fs.readFileSync(file, 'utf8'));
  const cases = JSON.parse(casesText);
  const table = () => Object.fromEntries(itemsTexts.flatMap((t) => JSON.parse(t)).map((it) => [it.id, it]));
  fs.mkdirSync(path.join(DIR, 'fixtures'), { recursive: true });
  for (const style of REF_STYLES) {
    const styleXml = fs.readFileSync(path.join(dirs.styles, `${style}.csl`), 'utf8');
    for (const locale of LOCALES) {
      const localeLog = {};
      const out = {
        generator: { package: 'citeproc', version: require('citeproc/package.json').version,
          processor_version: CSL.PROCESSOR_VERSION },
        style, locale,
        sources: { style: sha256(styleXml), cases: sha256(casesText), items: itemsTexts.map(sha256) },
        cases: {},
      };
      for (const kase of cases) {
        const byFormat = {};
        for (const fmt of FORMATS) {
          byFormat[fmt] = renderCase(newEngine(makeSys(table(), dirs.locales, localeLog), styleXml, locale, fmt), kase);
        }
        out.cases[kase.id] = {
          entries: byFormat.text.entries.map((e, k) => ({ id: e.id, text: e.text, html: byFormat.html.entries[k].text })),
          citations: byFormat.text.citations.map((text, k) => ({ text, html: byFormat.html.citations[k] })),
        };
      }
      const file = path.join(DIR, 'fixtures', `${style}.${locale}.json`);
      fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
      console.log(`${path.relative(ROOT, file)}: ${cases.length} cases`);
    }
  }
}

main();
