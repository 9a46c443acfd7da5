"""Open a rendered report in headless Chromium (Debian's chromium + chromium-driver, through Selenium) and
measure what a reader sees: images and their sizes, horizontal overflow, dangling links, banner, reasons, math.

Also a script: `python tests/browser.py results/report/index.html` prints the measurements as JSON."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]

# Runs in the page; returns everything the tests assert on.
MEASURE = r"""
const body = document.body, cs = getComputedStyle(body), br = body.getBoundingClientRect();
const col = {left: br.left + parseFloat(cs.paddingLeft), right: br.right - parseFloat(cs.paddingRight)};
const fixed = el => { for (let e = el; e && e !== body; e = e.parentElement)
  if (getComputedStyle(e).position === 'fixed') return true; return false; };
const scrolls = el => { for (let e = el.parentElement; e && e !== body; e = e.parentElement) {
  const o = getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
  return false; };
const images = [...document.images].map(i => { const r = i.getBoundingClientRect();
  return {id: (i.closest('figure') || i).id || '', complete: i.complete, natural: i.naturalWidth,
          natural_h: i.naturalHeight, shown: r.width, shown_h: r.height, left: r.left, right: r.right}; });
const outside = [];
for (const el of body.querySelectorAll('*')) {
  if (el.tagName === 'IMG' || scrolls(el) || fixed(el)) continue;  // a fixed sidebar is measured apart
  // per line fragment; a fragment of a wrapped inline element may end in a hanging space (0.6em allowed)
  const slack = getComputedStyle(el).display.startsWith('inline') ? 0.6 * parseFloat(getComputedStyle(el).fontSize) : 0;
  const frags = [...el.getClientRects()].filter(q => q.width > 0);
  if (frags.some(q => q.right > col.right + 1 + slack || q.left < col.left - 1))
    outside.push(el.tagName + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''));
}
const ids = new Set([...document.querySelectorAll('[id]')].map(e => e.id));
const internal = [...document.querySelectorAll('a[href^="#"]')].map(a => decodeURIComponent(a.getAttribute('href').slice(1)));
const verdicts = [...document.querySelectorAll('.callout')].filter(
  d => ((d.querySelector('.callout-title') || {}).textContent || '').trim().startsWith('Verdict:'));
const maths = [...document.querySelectorAll('math')];
const rect = el => { if (!el) return null; const r = el.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
const toc = document.querySelector('nav#TOC');
const tocLinks = toc ? [...toc.querySelectorAll('a[href^="#"]')] : [];
// the summary's first row: are the claim and verdict cells inside the window and not covered by other cells?
const row = document.querySelector('#tbl-summary tbody tr');
const seen = td => { if (!td) return false; const r = td.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + 2, 0), window.innerWidth - 1), y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y); return !!hit && td.contains(hit); };
const summaryCells = row ? [...row.children].slice(0, 2) : [];
if (row) row.scrollIntoView({block: 'center'});
const sbox = row ? row.closest('.table-scroll, .quarto-float-tbl > div') : null;
const summary = row ? {cells: summaryCells.map(rect), visible: summaryCells.map(seen), box: rect(sbox),
  scrolls: !!sbox && sbox.scrollWidth > sbox.clientWidth + 1} : null;
if (sbox) {  // scrolled to its far right, the claim and verdict columns must still be in view (sticky)
  sbox.scrollLeft = sbox.scrollWidth;
  summary.scrolled_cells = summaryCells.map(rect); summary.scrolled_visible = summaryCells.map(seen);
  sbox.scrollLeft = 0; }
// statistic names in the summary broken only after an underscore, never mid-word: where a character starts a new
// line, the one before it must be '_'
const statCodes = [...document.querySelectorAll('#tbl-summary td code')];
const midword = c => { const text = c.textContent, range = document.createRange(); let top = null, prev = '';
  const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    for (let i = 0; i < n.length; i++) { range.setStart(n, i); range.setEnd(n, i + 1);
      const r = range.getClientRects()[0]; if (!r) continue;
      if (top !== null && r.top > top + 2 && prev !== '_') return true; top = r.top; prev = n.data[i]; }
  return false; };
const broken = statCodes.filter(midword).map(c => c.textContent);
const tables = [...document.querySelectorAll('table')];
const config = document.querySelector('details.config-details');
return {
  viewport: window.innerWidth, client: document.documentElement.clientWidth,
  scroll_width: document.documentElement.scrollWidth, column: col, images: images,
  outside_column: outside.slice(0, 20), n_outside_column: outside.length,
  internal_links: internal.length, dangling: internal.filter(h => !ids.has(h)),
  banner: !!document.querySelector('.build-banner'), banner_text: (document.querySelector('.build-banner') || {}).innerText || '',
  verdict_boxes: verdicts.length,
  with_reason: verdicts.filter(d => /\S/.test((d.querySelector('.verdict-reason') || {}).textContent || '')).length,
  maths: maths.length, mathml: maths.filter(m => m.namespaceURI === 'http://www.w3.org/1998/Math/MathML'
                                          && m.getBoundingClientRect().width > 0).length,
  toc: toc ? {position: getComputedStyle(toc).position, rect: rect(toc), links: tocLinks.length,
              visible_links: tocLinks.filter(a => a.getClientRects().length > 0).length,
              dangling: tocLinks.map(a => decodeURIComponent(a.getAttribute('href').slice(1))).filter(h => !ids.has(h))}
             : null,
  summary: summary, summary_stats: statCodes.length, summary_broken_stats: broken,
  section_numbers: [...document.querySelectorAll('.header-section-number')].map(e => e.textContent.trim()),
  tables: tables.length, tables_in_scroll_box: tables.filter(t => t.closest('.table-scroll')).length,
  captions_inside_scroll_box: [...document.querySelectorAll('.table-scroll caption')]
                                .filter(c => /\S/.test(c.textContent)).length,
  table_captions: [...document.querySelectorAll('.table-float > .table-caption')].length,
  config: config ? {open: config.open, summary: (config.querySelector('summary') || {}).textContent || '',
                    rows: config.querySelectorAll('tbody tr').length,
                    text: config.textContent.slice(0, 3000)} : null,
  raw_tex: (body.innerText.match(/\$[^$\n]{1,40}\$/g) || []).slice(0, 5),
};
"""


def available() -> str:
    """Why the browser test cannot run here ('' when it can)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[dev]')"
    return ""


def driver(profile: Path):
    """A headless Chromium through chromedriver, with a fresh profile; nothing is downloaded."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def measure(html: Path, widths=(1400, 390), height: int = 900) -> dict[int, dict]:
    """The page's measurements at each window width (CSS pixels)."""
    profile = Path(tempfile.mkdtemp(prefix="relulab-chromium-"))
    d = driver(profile)
    try:
        d.set_page_load_timeout(60)
        d.get(Path(html).resolve().as_uri())
        out = {}
        for w in widths:
            d.set_window_size(w, height)
            # the inner width is what the page lays out to; correct for window decorations if any
            inner = d.execute_script("return window.innerWidth")
            if inner != w:
                d.set_window_size(2 * w - inner, height)
            d.execute_script("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            out[w] = d.execute_script(MEASURE)
        return out
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1])), indent=1))
