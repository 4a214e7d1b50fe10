#!/usr/bin/python3
"""Checks of migrate.graph()'s pictures as other tools read them.

usage: graph_render.py svg FACTS.json PICTURE.svg
       graph_render.py mermaid FACTS.json PICTURE.mmd

FACTS.json is what the database says of the project (graph_render.sh
writes it): its name, its revisions (id, message, branch labels,
down_revision, depends_on), the heads, what current() shows and what is
pending.

svg: the SVG that `dot -Tsvg` made of graph(project, 'dot') is XML with an
<svg> root; it has one node per revision (Graphviz titles each node with
its name), one edge per parent and per dependency, from parent to child;
each node's text is the revision's caption and message, as written, and
the graph's label is the project's name (so no quote, backslash or
newline ended a string or added a statement).

mermaid: graph(project, 'mermaid') is a flowchart whose every line is one
of: the header, a node definition, an edge, a classDef, a class statement;
every node is defined once, every edge joins defined nodes, and there is
one edge per parent and per dependency; every node is in exactly one
class, the one of its state (applied, current, pending); every label is
quoted and made only of plain characters, numeric entities and <br/>, so
no quote, bracket, pipe, HTML tag, comment or backtick of a message
survives, and decoding them gives back the caption and the message.

Prints "ok: ..." per check and "FAIL: ..." per failure; exits 1 on any.
"""

import json
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
# what the pictures turn into a space (besides the newline, a line break)
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                      "\u2066-\u2069\ufeff]")
PLAIN = re.compile(r"(?:[A-Za-z0-9 .,:_\-/!?'@+=]|[^\x00-\x7f]|#\d+;|<br/>)*\Z")

failures = 0


def check(cond, what):
    global failures
    if cond:
        print("ok: " + what)
    else:
        failures += 1
        print("FAIL: " + what)


def shown(text):
    """A message as a picture shows it: CRLF and LF break lines, other
    controls are spaces."""
    return CONTROLS.sub(" ", (text or "").replace("\r\n", "\n"))


class Facts:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        self.project = d["project"]
        self.revs = d["revisions"]
        self.ids = [r["id"] for r in self.revs]
        label_of = {lab: r["id"] for r in self.revs for lab in r["labels"]}
        heads = set(d["heads"] or [])
        current = set(d["current"] or [])
        self.pending = set(d["pending"] or [])
        self.current = current
        self.edges = set()
        self.dependencies = set()
        self.caption = {}
        for r in self.revs:
            for p in r["down"]:
                self.edges.add((p, r["id"]))
            for dep in r["depends"]:
                self.dependencies.add((label_of.get(dep, dep), r["id"]))
            marks = [m for m, on in (("head", r["id"] in heads),
                                     ("current", r["id"] in current)) if on]
            tags = ("[" + ", ".join(marks) + "]") if marks else ""
            if r["labels"]:
                tags += (" " if tags else "") + "(" + ", ".join(r["labels"]) + ")"
            first = r["id"] + (" " + tags if tags else "")
            self.caption[r["id"]] = first + ("\n" + shown(r["message"]) if r["message"] else "")


def lines_of(text):
    """Lines as Graphviz draws them: no empty ones, no-break spaces as
    spaces, no space at either end."""
    return [ln.replace("\u00a0", " ").strip() for ln in text.split("\n")
            if ln.replace("\u00a0", " ").strip()]


def check_svg(facts, path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check(False, f"{path} is XML ({e})")
        return
    check(root.tag == SVG + "svg", "the picture is an SVG document")
    nodes, edges = {}, set()
    graph_label = None
    for g in root.iter(SVG + "g"):
        title = g.find(SVG + "title")
        texts = ["".join(t.itertext()) for t in g.findall(SVG + "text")]
        if g.get("class") == "node":
            nodes[title.text] = texts
        elif g.get("class") == "edge":
            a, _, b = title.text.partition("->")
            edges.add((a, b))
        elif g.get("class") == "graph":
            graph_label = texts
    check(sorted(nodes) == sorted(facts.ids),
          f"one node per revision ({len(nodes)} nodes, {len(facts.ids)} revisions)")
    check(edges == facts.edges | facts.dependencies,
          f"one edge per parent and dependency ({len(edges)} edges)")
    wrong = [i for i in facts.ids
             if lines_of("\n".join(nodes.get(i, []))) != lines_of(facts.caption[i])]
    check(not wrong, "each node shows its revision's caption and message as written"
          + (f" (not: {wrong[0]}: {nodes.get(wrong[0])!r} for {facts.caption[wrong[0]]!r})"
             if wrong else ""))
    check(graph_label is not None and
          lines_of("\n".join(graph_label)) == lines_of(shown(facts.project)),
          "the graph's label is the project's name")


def decode(label):
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label.replace("<br/>", "\n"))


def check_mermaid(facts, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = text[:-1] if text.endswith("\n") else text     # psql's
    lines = text.split("\n")
    check(lines[0] == "flowchart BT", "a bottom-to-top flowchart")
    defined, classes, edges, deps, bad = {}, {}, set(), set(), []
    labels_ok = True
    for ln in lines[1:]:
        m = re.fullmatch(r'    (r\d+)\["(.*)"\]', ln)
        if m:
            name, label = m.groups()
            if name in defined:
                bad.append("defined twice: " + ln)
            labels_ok &= '"' not in label and PLAIN.match(label) is not None
            defined[name] = decode(label)
            continue
        m = re.fullmatch(r"    (r\d+) (-->|-\.->) (r\d+)", ln)
        if m:
            a, arrow, b = m.groups()
            if a not in defined or b not in defined:
                bad.append("an edge to an undefined node: " + ln)
            else:
                (edges if arrow == "-->" else deps).add((a, b))
            continue
        if re.fullmatch(r"    classDef (applied|current|pending) [-a-z]+:[^ ,]+( [0-9]+)?"
                        r"(,[-a-z]+:[^ ,]+( [0-9]+)?)*", ln):
            continue
        m = re.fullmatch(r"    class (r\d+(?:,r\d+)*) (applied|current|pending)", ln)
        if m:
            for name in m.group(1).split(","):
                if name not in defined or name in classes:
                    bad.append(f"{name} undefined or in two classes")
                classes[name] = m.group(2)
            continue
        bad.append("not a statement this picture makes: " + ln)
    check(not bad, "every line is a sound statement" + (f" (not: {bad[0]})" if bad else ""))
    check(labels_ok, "every label is quoted and holds only plain characters, entities and <br/>")
    check("```" not in text and "%%" not in text and "<b>" not in text,
          "no fence, comment or markup of a message survives")
    # the node of each revision: its label decodes to the caption
    node_of = {lab.split("\n")[0].split(" ")[0]: name for name, lab in defined.items()}
    check(sorted(node_of) == sorted(facts.ids), f"one node per revision ({len(defined)} nodes)")
    wrong = [i for i in facts.ids if defined.get(node_of.get(i)) != facts.caption[i]]
    check(not wrong, "each label decodes to the revision's caption and message"
          + (f" (not: {wrong[0]}: {defined.get(node_of.get(wrong[0]))!r})" if wrong else ""))
    rev_of = {v: k for k, v in node_of.items()}
    named = {(rev_of.get(a), rev_of.get(b)) for a, b in edges}
    check(named == facts.edges, f"one solid edge per parent ({len(edges)})")
    named = {(rev_of.get(a), rev_of.get(b)) for a, b in deps}
    check(named == facts.dependencies, f"one dashed edge per dependency ({len(deps)})")
    want = {node_of[i]: "pending" if i in facts.pending else
            "current" if i in facts.current else "applied" for i in facts.ids if i in node_of}
    check(classes == want, "every node is in the class of its state")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("svg", "mermaid"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    facts = Facts(sys.argv[2])
    (check_svg if sys.argv[1] == "svg" else check_mermaid)(facts, sys.argv[3])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
