/**
 * The page's only style and script, inline so `index.html` opens from `file://` with no network. Both are constants:
 * no registry- or repository-written text is ever put in them (the page's Content-Security-Policy allows exactly
 * these two by hash, so nothing else could run even if it got in).
 */
export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --soft: #f6f8fa;
  --major: #b42318; --minor: #b54708; --patch: #4d7c0f; --digest: #175cd3; --failed: #7a271a; --drift: #6941c6; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; }
h3 { font-size: 1rem; margin: 0; display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: baseline; }
.meta, .muted { color: var(--muted); }
.name, code, td.loc, td.ver { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: var(--soft); }
td.num, th.num { text-align: right; }
.uses { table-layout: fixed; }
.uses th:nth-child(1) { width: 17%; } .uses th:nth-child(2) { width: 12%; } .uses th:nth-child(3) { width: 33%; }
td.loc, td.ver { overflow-wrap: anywhere; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 10px 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; position: sticky; top: 0; z-index: 1; }
.controls select { font: inherit; padding: 2px 4px; max-width: 16rem; }
.pkg { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 12px 0; }
.large > .pkg { content-visibility: auto; contain-intrinsic-size: auto 180px; }
.pkg .sub { margin: 2px 0 8px; }
.tag { font-size: 0.78rem; font-weight: 600; padding: 1px 7px; border-radius: 10px; border: 1px solid currentColor; white-space: nowrap; }
.ds { color: var(--muted); }
.drift { color: var(--drift); }
.b5 { color: var(--major); } .b4 { color: var(--minor); } .b3 { color: var(--patch); } .b2 { color: var(--digest); } .b1, .failed { color: var(--failed); }
.failed { font-weight: 600; }
.note { color: var(--muted); }
.problems li { overflow-wrap: anywhere; }
@media (max-width: 700px) {
  main { padding: 10px 10px 32px; }
  .uses thead, .repos thead { display: none; }
  .uses tr, .repos tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  .uses td, .repos td { display: block; border: 0; padding: 1px 4px; text-align: left; }
  .uses td::before, .repos td::before { content: attr(data-label) ": "; color: var(--muted); font-family: system-ui, sans-serif; }
  .controls { position: static; }
  .controls label { display: flex; justify-content: space-between; width: 100%; }
  .controls label.check { justify-content: flex-start; gap: 6px; }
}
`;

export const PAGE_SCRIPT = `
(function () {
  var list = document.getElementById('packages-list');
  if (!list) return;
  var pkgs = Array.prototype.slice.call(list.querySelectorAll('article.pkg'));
  var repo = document.getElementById('filter-repo');
  var env = document.getElementById('filter-env');
  var driftOnly = document.getElementById('filter-drift');
  var sort = document.getElementById('sort');
  var shown = document.getElementById('shown');
  function visibleRows(p) {
    return Array.prototype.filter.call(p.querySelectorAll('tbody tr'), function (tr) { return !tr.hidden; });
  }
  function behind(p) {
    return visibleRows(p).reduce(function (m, tr) { return Math.max(m, Number(tr.getAttribute('data-behind'))); }, 0);
  }
  function apply() {
    var r = repo.value, e = env.value, d = driftOnly.checked, n = 0;
    pkgs.forEach(function (p) {
      var any = false;
      Array.prototype.forEach.call(p.querySelectorAll('tbody tr'), function (tr) {
        var ok = (r === '' || tr.getAttribute('data-repo') === r) && (e === '' || tr.getAttribute('data-env') === e);
        tr.hidden = !ok;
        if (ok) any = true;
      });
      p.hidden = !any || (d && p.getAttribute('data-drift') !== '1');
      if (!p.hidden) n++;
    });
    var key = sort.value;
    var keyed = pkgs.map(function (p) {
      var k = key === 'behind' ? behind(p) : key === 'uses' ? visibleRows(p).length : 0;
      return { p: p, k: k, order: Number(p.getAttribute('data-order')) };
    });
    keyed.sort(function (a, b) { return b.k - a.k || a.order - b.order; });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (x) { fragment.appendChild(x.p); });
    list.appendChild(fragment);
    shown.textContent = n + ' of ' + pkgs.length + ' packages shown';
  }
  [repo, env, driftOnly, sort].forEach(function (el) { el.addEventListener('change', apply); });
  // The page arrives unfiltered and sorted by how far behind; a browser restoring the controls' state needs one pass.
  if (repo.value !== '' || env.value !== '' || driftOnly.checked || sort.value !== 'behind') apply();
})();
`;
