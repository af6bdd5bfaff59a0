"""similarity.html: the ranked pairs, and the most similar pairs' code side by side.

One self-contained page (no scripts, no files beside it) that a browser opens from disk. Each
detailed pair shows, per graded function, the two students' code with the regions copydetect
matched marked, compared function against function with the starter as boilerplate, as the
whole notebooks were; code outside the graded functions (helpers, extra cells) comes last.
"""

import ast
import html
import statistics

from copydetect.utils import highlight_overlap

from .fingerprints import code_tokens, compare, fingerprint, graded_functions

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1600px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; border-top: 2px solid #999;
  padding-top: .6em; } h3 { font-size: 1em; margin: 1.2em 0 .3em; }
table.pairs { border-collapse: collapse; font-size: .9em; }
table.pairs th, table.pairs td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; }
table.pairs td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.flag td { background: #fff3cd; }
.badge { background: #c0392b; color: white; border-radius: 3px; padding: 0 .4em; font-size: .85em; }
.note { color: #555; font-size: .9em; max-width: 60em; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: .8em; }
.side > div { min-width: 0; }
.who { font-weight: 600; font-size: .85em; margin-bottom: .2em; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .5em; font-size: 12px; line-height: 1.35;
  overflow-x: auto; margin: 0; white-space: pre; }
mark { background: #f9c0c0; }
ul.failures { font-size: .9em; } ul.failures code { white-space: pre-wrap; }
.missing { color: #888; font-style: italic; }
"""


def _e(text) -> str:
    return html.escape(str(text))


def _highlighted(code: str, slices) -> str:
    if slices is None or not slices.shape[-1]:
        return _e(code)
    marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


def without_docstring(source: str) -> str:
    """A function with its docstring shown as \"\"\"...\"\"\": it is the starter's, and copydetect reads
    any string as one token, so the fingerprints stay the same while the page gets shorter and
    no longer marks the whole docstring when the code just after it matches."""
    try:
        node = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return source
    first = node.body[0] if getattr(node, "body", None) else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return source
    lines = source.splitlines(keepends=True)
    indent = lines[first.lineno - 1][:first.col_offset]
    return "".join(lines[:first.lineno - 1] + [f'{indent}"""..."""\n'] + lines[first.end_lineno:])


def outside_functions(cells: list[str], names: list[str], starter: set) -> str:
    """What the student wrote outside the graded functions: cells not in the starter (`starter`:
    its cells as copydetect reads them, so that the setup cell, whose packed public checks differ
    from build to build, is still the starter's), less the graded functions' definitions (shown
    on their own)."""
    kept = []
    for cell in cells:
        if code_tokens(cell) in starter:
            continue
        try:
            tree = ast.parse(cell)
        except SyntaxError:
            kept.append(cell)
            continue
        lines = cell.splitlines(keepends=True)
        drop = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                drop.update(range(start - 1, node.end_lineno))
        rest = "".join(line for i, line in enumerate(lines) if i not in drop).strip()
        if code_tokens(rest).strip():  # comments and blank lines left between the functions are not code
            kept.append(rest + "\n")
    return "\n".join(kept)


def _side_by_side(title: str, a_id: str, a_code: str, b_id: str, b_code: str, boilerplate,
                  stub: str = "", absent: str = "not defined in this notebook") -> str:
    if not a_code.strip() and not b_code.strip():
        return ""
    fa, fb = (fingerprint(code, who, boilerplate) if code.strip() else None
              for who, code in ((a_id, a_code), (b_id, b_code)))
    slices, figure = (None, None), ""
    if fa is not None and fb is not None and (fa.hashes or fb.hashes):
        sim, _, _, found = compare(fa, fb)
        if found is not None:
            slices = found
        figure = f" <span class='note'>similarity {sim:.2f}</span>"
    cols = []
    for who, code, fp, sl in ((a_id, a_code, fa, slices[0]), (b_id, b_code, fb, slices[1])):
        if fp is None:
            body = f"<p class='missing'>{_e(absent)}</p>"
        elif code.strip() == stub.strip():
            body = "<p class='missing'>the stub as handed out</p>"
        else:
            note = "" if fp.hashes else ("<p class='missing'>beyond the starter's code, too short to "
                                         "compare (under copydetect's noise threshold)</p>")
            body = f"{note}<pre>{_highlighted(code, sl)}</pre>"
        cols.append(f"<div><div class='who'>{_e(who)}</div>{body}</div>")
    return f"<h3>{_e(title)}{figure}</h3><div class='side'>{''.join(cols)}</div>"


def _failures(pair, n_students: int) -> str:
    items = "".join(
        f"<li>{_e(q)}, {_e(case)}: failed by {count} of {n_students} submissions"
        f"<br><code>{_e(message)}</code></li>" for q, case, message, count in pair.shared_failures)
    return f"<p>Both fail these hidden cases with the same message:</p><ul class='failures'>{items}</ul>"


def write_html(path, lab, students, pairs, boilerplate, starter_cells, detailed: int, listed: int,
               with_gradebook: bool, common: int | None = None):
    by_id = {s.id: s for s in students}
    n_students = sum(1 for s in students if not s.source)
    sources = [s.id for s in students if s.source]
    names = lab.stub_names()
    starter = {code_tokens(cell) for cell in starter_cells}
    stubs = {name: without_docstring(code) for name, code in graded_functions(starter_cells, names).items()}
    sims = [p.similarity for p in pairs]
    # inclusive: the exclusive method extrapolates past the highest value on a small class
    quantiles = statistics.quantiles(sims, n=20, method="inclusive") if len(sims) >= 2 else sims * 19
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>Similarity: {_e(lab.name)}</title>",
           f"<style>{STYLE}</style></head><body>",
           f"<h1>Similarity report: {_e(lab.name)}, {_e(lab.title)}</h1>",
           f"<p>{n_students} submissions, {len(pairs)} pairs. Median pair {statistics.median(sims):.2f}, "
           f"95th percentile {quantiles[-1]:.2f}, highest {max(sims):.2f}.</p>",
           "<p class='note'>Similarity: the share of both students' code that matches the other's "
           "(copydetect: winnowing over Python tokens, names and strings replaced, comments and spacing "
           "ignored). The lab's starter notebook is boilerplate, markdown and outputs are left out. "
           "Share of A: the part of A's code found in B's. A high figure is a reason to read the code, "
           "not a verdict. Below the table, each of the most similar pairs function by function: "
           "<mark>marked</mark> code matches the other student's same function (docstrings, the "
           "starter's, are shown as \"\"\"...\"\"\").</p>"]
    if common is not None:
        out.append(f"<p class='note'>Code found in more than {common} submissions is common (a scaffold "
                   "the class shares, a canonical one-liner) and is left out of the comparison of two "
                   "students, as MOSS's -m does.</p>")
    if sources:
        out.append(f"<p class='note'>Known sources, compared with every student (common code included) "
                   f"and marked <i>known source</i>: {_e(', '.join(sources))}.</p>")
    if with_gradebook:
        out.append("<p class='note'><span class='badge'>n</span> marks a pair that fails n hidden cases "
                   "with the same messages; the fewer submissions fail a case that way, the stronger the "
                   "sign.</p>")
    head = "<th>shared hidden failures</th>" if with_gradebook else ""
    out.append("<table class='pairs'><tr><th>#</th><th>submission A</th><th>submission B</th>"
               f"<th>similarity</th><th>share of A</th><th>share of B</th>{head}</tr>")
    for rank, p in enumerate(pairs[:listed], start=1):
        link = f"<a href='#pair-{rank}'>{rank}</a>" if rank <= detailed else str(rank)
        flag = " class='flag'" if p.shared_failures else ""
        cell = ""
        if with_gradebook:
            cell = f"<td>{f'<span class=badge>{len(p.shared_failures)}</span>' if p.shared_failures else ''}</td>"
        b_label = f"{_e(p.b)} <i>(known source)</i>" if p.kind != "students" else _e(p.b)
        out.append(f"<tr{flag}><td>{link}</td><td>{_e(p.a)}</td><td>{b_label}</td>"
                   f"<td class='num'>{p.similarity:.3f}</td><td class='num'>{p.share_a:.3f}</td>"
                   f"<td class='num'>{p.share_b:.3f}</td>{cell}</tr>")
    out.append("</table>")
    if len(pairs) > listed:
        out.append(f"<p class='note'>The {len(pairs) - listed} other pairs are in similarity.csv.</p>")
    for rank, p in enumerate(pairs[:detailed], start=1):
        a, b = by_id[p.a], by_id[p.b]
        out.append(f"<h2 id='pair-{rank}'>{rank}. {_e(p.a)} and {_e(p.b)}: {p.similarity:.3f}</h2>")
        out.append(f"<p class='note'>{_e(a.path)} and {_e(b.path)}</p>")
        if p.shared_failures:
            out.append(_failures(p, len(students)))
        for name in names:
            out.append(_side_by_side(name, p.a, without_docstring(a.functions.get(name, "")), p.b,
                                     without_docstring(b.functions.get(name, "")), boilerplate,
                                     stubs.get(name, "")))
        out.append(_side_by_side("outside the graded functions", p.a,
                                 outside_functions(a.code_cells, names, starter), p.b,
                                 outside_functions(b.code_cells, names, starter), boilerplate,
                                 absent="nothing beyond the starter's code"))
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")
