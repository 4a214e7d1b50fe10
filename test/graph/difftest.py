#!/usr/bin/env python3
"""Differential test: the graph module, src/graph/ (through the mg_driver
program) against the real Alembic 1.8.1 (through alembic_ref.py), on random
graphs and random command sequences.

Both sides run each command in lockstep.  For every command we compare:
the error class and Alembic's message (and, for resolution errors, the
underlying cause, which migrate puts in the detail); or the steps run, in
order, with the version rows after each step; or the listing.

Excluded, and counted separately, are exactly the documented differences
(doc/graph-rules.md, section 13):
  * Alembic crashes (AssertionError, KeyError, ...): migrate must return a
    clean error, except for the stamp cases where the rules give a sane
    result;
  * downgrade -N with several version rows and no branch part (refused);
  * issue 1373: when a 1.8.1 downgrade leaves redundant rows, migrate's rows
    must equal Alembic's with the redundant ancestors removed;
  * stamp destinations that overlap (refused with an overlap error);
  * a history range whose relative start walks past the end.
After an excluded command, Alembic's version table is set to migrate's
rows so the sequence goes on from the same state.

usage: difftest.py DRIVER [--seed N] [--graphs N] [--seconds S] [-v]
The last line is "N passed, M failed" (passed = compared commands that
agreed; excluded commands are reported, not counted).
"""

import argparse
import random
import re
import subprocess
import sys
import time

from alembic.script.revision import _relative_destination

from alembic_ref import AlembicRef
from alembic_ref import parse_rev

# ---------------------------------------------------------------------------
# random graphs
# ---------------------------------------------------------------------------

ID_STEMS = ["a", "ab", "abc", "abcd", "ae1", "ae1f", "b", "b2", "c3", "dd",
            "e0", "f00d", "x", "xy", "base1", "head1"]
LABEL_STEMS = ["lib", "xlib", "ylib", "abcx", "ae1l", "br", "brnch", "zz",
               "hq"]


def gen_graph(rng):
    n = rng.randint(1, 11)
    ids = []
    used = set()
    while len(ids) < n:
        stem = rng.choice(ID_STEMS)
        cand = stem + ("" if rng.random() < 0.3 else str(rng.randint(0, 9)))
        if rng.random() < 0.15:
            cand += rng.choice("abcdef")
        if cand not in used and cand not in ("base", "head", "heads"):
            used.add(cand)
            ids.append(cand)
    revs = []  # (id, down, deps, labels) in creation (topological) order
    children = {}
    labels_used = set()
    label_of = {}
    for i, rid in enumerate(ids):
        down = []
        if i > 0 and rng.random() > 0.14:
            k = 1
            r = rng.random()
            if r < 0.16:
                k = 2
            elif r < 0.19:
                k = 3
            k = min(k, i)
            heads = [x for x in ids[:i] if not children.get(x)]
            pool = list(ids[:i])
            while len(down) < k:
                src = heads if heads and rng.random() < 0.6 else pool
                p = rng.choice(src)
                if p not in down:
                    down.append(p)
        for p in down:
            children.setdefault(p, []).append(rid)
        deps = []
        if i > 0 and rng.random() < 0.22:
            for _ in range(rng.choice([1, 1, 2])):
                d = rng.choice(ids[:i])
                if d in down and rng.random() < 0.7:
                    continue
                name = d
                if d in label_of and rng.random() < 0.5:
                    name = label_of[d]
                if name not in deps:
                    deps.append(name)
                    children.setdefault(d, []).append(rid)
        labels = []
        if rng.random() < 0.22:
            for _ in range(1 if rng.random() < 0.85 else 2):
                lab = rng.choice(LABEL_STEMS) + (
                    "" if rng.random() < 0.4 else str(rng.randint(0, 9)))
                if lab not in labels_used and lab not in used and \
                        lab not in ("base", "head", "heads"):
                    labels_used.add(lab)
                    labels.append(lab)
                    label_of.setdefault(rid, lab)
        revs.append((rid, down, deps, labels))
    if rng.random() < 0.7:
        rng.shuffle(revs)
    return revs


def rev_line(r):
    rid, down, deps, labels = r
    s = "rev " + rid
    if down:
        s += " down=" + ",".join(down)
    if deps:
        s += " deps=" + ",".join(deps)
    if labels:
        s += " labels=" + ",".join(labels)
    return s


def target_pool(revs):
    ids = [r[0] for r in revs]
    labels = [l for r in revs for l in r[3]]
    pool = ["head", "heads", "base", "+1", "+2", "+3", "-1", "-2", "-3",
            "head-1", "head+1", "heads-1", "base+1", "base+2", "base-1",
            "base-2", "+0", "-0", "zzzz", "", "@", "@x", "x@", "nope@head",
            "a:b", " -1", "+99999999999999999999", "-99999999999999999999"]
    for rid in ids:
        pool += [rid, rid[:3], rid[:4], rid[:2], rid + "+1", rid + "-1",
                 rid + "-2", rid + "+2", rid + "@head", rid + "@heads",
                 rid + "@base"]
    for lab in labels:
        pool += [lab, lab[:3], lab + "@head", lab + "@heads", lab + "@base",
                 lab + "@+1", lab + "@-1", lab + "@-2", lab + "@+2",
                 lab + "@" + rng_choice(ids), lab + "@" + rng_choice(ids) + "+1",
                 lab + "@" + rng_choice(ids) + "-1", lab + "@head-1"]
    return pool


_pick = random.Random(0)


def rng_choice(seq):
    return _pick.choice(seq)


def gen_commands(rng, revs):
    pool = target_pool(revs)
    ids = [r[0] for r in revs]
    ends = ["", "base", "heads", "head", "current", "-1", "+1"] + \
        rng.sample(pool, min(8, len(pool)))
    cmds = []
    for _ in range(rng.randint(4, 12)):
        r = rng.random()
        if r < 0.30:
            cmds.append("upgrade " + rng.choice(pool))
        elif r < 0.52:
            cmds.append("downgrade " + rng.choice(pool))
        elif r < 0.64:
            k = rng.choice([1, 1, 1, 2, 3])
            t = ",".join(rng.choice(pool) for _ in range(k))
            if "," in t and "" in t.split(","):
                t = t.replace(",,", ",")
            cmds.append("stamp " + t + (" purge" if rng.random() < 0.15 else ""))
        elif r < 0.70:
            cmds.append("current")
        elif r < 0.82:
            if rng.random() < 0.08:
                cmds.append("history " + rng.choice(ends))
            elif rng.random() < 0.1:
                cmds.append("history")
            else:
                cmds.append("history %s:%s" % (rng.choice(ends), rng.choice(ends)))
        elif r < 0.92:
            cmds.append("show " + rng.choice(pool))
        else:
            cmds.append(rng.choice(["heads", "realheads", "bases", "realbases",
                                    "branchpoints", "labels " + rng.choice(ids),
                                    "parents " + rng.choice(ids),
                                    "deps " + rng.choice(ids)]))
    return cmds


# ---------------------------------------------------------------------------
# the C side
# ---------------------------------------------------------------------------

class CDriver:
    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True,
                                  bufsize=1)

    def send(self, lines):
        for line in lines:
            self.p.stdin.write(line + "\n")
        self.p.stdin.write("sync\n")
        self.p.stdin.flush()
        out = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("driver died")
            line = line.rstrip("\n")
            if line == "> sync":
                return out
            out.append(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait()


STEP_RE = re.compile(r"^(upgrade|downgrade|stamp) (\S+)(?: \| (.*))?$")


def parse_c(lines, rows_before):
    """Turn the driver's output for one command into a result dict."""
    res = {}
    rows = set(rows_before)
    steps = []
    bad_ops = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("> "):
            i += 1
            continue
        if line.startswith("error "):
            m = re.match(r"error (\w+): (.*)$", line)
            detail = None
            if i + 1 < len(lines) and lines[i + 1].startswith("  detail: "):
                detail = lines[i + 1][len("  detail: "):]
            res["error"] = (m.group(1), m.group(2), detail)
        elif line.startswith("no graph"):
            pass
        elif line.startswith("  "):
            pass
        elif STEP_RE.match(line) and not line.startswith("rows:"):
            m = STEP_RE.match(line)
            for op in (m.group(3) or "").split(" ; "):
                if not op:
                    continue
                parts = op.split()
                if parts[0] == "INSERT":
                    if parts[1] in rows:
                        bad_ops.append(op)
                    rows.add(parts[1])
                elif parts[0] == "DELETE":
                    if parts[1] not in rows:
                        bad_ops.append(op)
                    rows.discard(parts[1])
                else:
                    if parts[1] not in rows or parts[2] in rows:
                        bad_ops.append(op)
                    rows.discard(parts[1])
                    rows.add(parts[2])
            steps.append((m.group(1), m.group(2), frozenset(rows)))
        elif line.startswith("rows:"):
            res["rows"] = frozenset(line[len("rows:"):].split())
            res["steps"] = steps
        elif line.startswith("labels "):
            m = re.match(r"labels \S+: own(?:=(\S*))? spread(?:=(\S*))?$", line)
            own = frozenset((m.group(1) or "").split(",")) - {""}
            spread = frozenset((m.group(2) or "").split(",")) - {""}
            res["labels"] = (own, spread)
        elif ":" in line:
            key, _, rest = line.partition(":")
            res["list"] = rest.split()
        i += 1
    if "rows" in res and res["rows"] != frozenset(rows):
        bad_ops.append("rows line disagrees with the row operations")
    res["bad_ops"] = bad_ops
    return res


# ---------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------

def redundant(ref, rows):
    """rows that are ancestors of another row (Alembic 1.8.1 issue 1373)"""
    out = set()
    for r in rows:
        for other in rows:
            if other != r and r in ref.ancestors(other):
                out.add(r)
    return out


DUMP_CRASHES = __import__('os').environ.get('DUMP_CRASHES')


class Stats:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.excluded = {}
        self.kinds = {}
        self.failures = []

    def kind(self, what):
        self.kinds[what] = self.kinds.get(what, 0) + 1

    def exclude(self, why):
        self.excluded[why] = self.excluded.get(why, 0) + 1


def sort_tuples(msg):
    """Alembic prints the version rows as a Python tuple in the table's
    physical order; compare them as sets."""
    def fix(m):
        items = sorted(re.findall(r"'([^']*)'", m.group(0)))
        return "(" + ", ".join("'%s'" % i for i in items) + \
            ("," if len(items) == 1 else "") + ")"
    return re.sub(r"\('[^()]*'\)|\('[^()]*',\)", fix, msg)


def same_error(a, c):
    """Alembic's (code, msg, cause) against migrate's (code, msg, detail)."""
    acode, amsg, acause = a
    ccode, cmsg, cdetail = c
    amsg = sort_tuples(amsg)
    cmsg = sort_tuples(cmsg)
    if acode != ccode:
        return False
    if acode == "LABEL_CONFLICT":
        # which of the two revisions Alembic names depends on set order
        return amsg.split(" in revision")[0] == cmsg.split(" in revision")[0]
    if acode == "AMBIGUOUS_PREFIX" and amsg == cmsg:
        # labels sit in Alembic's map in a Python set's order: compare the
        # candidates as sets (or, when both list three, that all are real)
        qa = re.findall(r"'([^']*)'", acause or "")
        qc = re.findall(r"'([^']*)'", cdetail or "")
        if not qa or not qc or qa[0] != qc[0]:
            return False
        if set(qa[1:]) == set(qc[1:]):
            return True
        return len(qa) == len(qc) == 4 and all(x.startswith(qa[0]) for x in qa[1:] + qc[1:])
    if acode == "OVERLAP":
        ma = re.match(r"Requested revision (\S+) overlaps with other requested revisions (.*)$", amsg)
        mc = re.match(r"Requested revision (\S+) overlaps with other requested revisions (.*)$", cmsg)
        return bool(ma and mc and ma.group(1) == mc.group(1) and
                    set(ma.group(2).split(", ")) == set(mc.group(2).split(", ")))
    if amsg != cmsg:
        return False
    if acause is not None and acause != cdetail:
        return False
    return True


def compare(ref, stats, cmd, arg, a, c, rows_before, ctx):
    """Compare one command; returns the rows to continue from (or None to
    keep Alembic's)."""
    def fail(why):
        stats.failed += 1
        if len(stats.failures) < 40:
            stats.failures.append("%s\n  command: %s\n  why: %s\n  alembic: %r\n  migrate: %r"
                                  % (ctx(), cmd + ("" if arg is None else " " + arg),
                                     why, a, c))

    if cmd == "show" and arg is not None:
        m = _relative_destination.match(arg)
        if m and (m.group(2) is not None or int(m.group(3)) >= 0):
            # <symbol>+-N and +N: migrate's extension of alembic show
            stats.exclude("show <symbol>+-N / +N (not in alembic show)")
            return None
    if c.get("bad_ops"):
        fail("row operations that do not fit the rows: %s" % c["bad_ops"])
        return c.get("rows")
    ae = a.get("error")
    ce = c.get("error")
    if cmd == "history" and arg == "":
        # graph.h: an empty range means base:heads
        stats.exclude("history '' (base:heads by contract)")
        return None
    if ae and ae[0] == "CRASH":
        if ce is None and not (cmd == "stamp" or
                               (cmd == "show" and "'str' object" in ae[1])):
            fail("Alembic crashes here; migrate must refuse cleanly")
        else:
            stats.exclude("Alembic crash (%s)" % ae[1].split(":")[0])
            if DUMP_CRASHES:
                print("CRASH %-10s %-40s alembic=%s migrate=%s" % (
                    cmd, arg, ae[1][:90], ce[:2] if ce else "ok"))
        return c.get("rows")
    if ce and ce[0] == "UNSUPPORTED" and cmd == "stamp" and ae is None and \
            "twice" in ce[1] and not a.get("steps"):
        # migrate refuses a destination named twice even when it is
        # already a row (Alembic: nothing to do)
        stats.exclude("stamp destination named twice (refused)")
        return c.get("rows")
    if ce and ce[0] == "OVERLAP" and cmd == "stamp" and ae is None:
        stats.exclude("stamp of overlapping destinations (refused)")
        return c.get("rows")
    if ce and ce[0] == "RELATIVE_RANGE" and cmd == "history" and \
            "didn't produce the migrations asked for" in ce[1]:
        stats.exclude("history start walking past the end")
        return None
    if ae or ce:
        if not (ae and ce):
            fail("one side fails, the other does not")
        elif not same_error(ae, ce):
            fail("different errors")
        else:
            stats.passed += 1
            stats.kind("error " + ae[0])
        return c.get("rows")
    if "steps" in a:
        red = [s for s in a["steps"] if redundant(ref, s[2])]
        if red or redundant(ref, a["rows"]):
            want = set(a["rows"]) - redundant(ref, a["rows"])
            if cmd == "downgrade" and c["rows"] == frozenset(want) and \
                    [s[:2] for s in a["steps"]] == [s[:2] for s in c["steps"]]:
                stats.exclude("issue 1373 (rows equal once redundant ones are dropped)")
            elif cmd == "downgrade":
                stats.exclude("issue 1373 (rows differ after redundant rows)")
            else:
                fail("Alembic has redundant rows after %s" % cmd)
            return c["rows"]
        if cmd == "stamp":
            if a["rows"] != c["rows"]:
                fail("different rows")
            else:
                stats.passed += 1
                stats.kind("stamp")
            return None
        if a["steps"] != c["steps"]:
            fail("different steps or rows after a step")
        elif a["rows"] != c["rows"]:
            fail("different rows")
        else:
            stats.passed += 1
            n = len(a["steps"])
            stats.kind("%s with %s steps" % (cmd, "0" if n == 0 else "1" if n == 1 else "2-4" if n < 5 else "5+"))
        return None
    stats.kind(cmd)
    if "list" in a:
        if cmd in ("branchpoints",):
            ok = set(a["list"]) == set(c.get("list", []))
        else:
            ok = a["list"] == c.get("list")
        if ok:
            stats.passed += 1
        else:
            fail("different listing")
        return None
    if "set" in a:
        if set(a["set"]) == set(c.get("list", [])):
            stats.passed += 1
        else:
            fail("different set")
        return None
    if "labels" in a:
        if a["labels"] == c.get("labels"):
            stats.passed += 1
        else:
            fail("different labels")
        return None
    fail("nothing to compare")
    return None


def run_case(drv, ref, stats, revs, cmds, verbose):
    lines = [rev_line(r) for r in revs]
    ref.reset()
    for line in lines:
        ref.add_rev(line)
    drv.send(["reset"] + lines)

    def ctx():
        return "graph:\n    " + "\n    ".join(lines)

    build_err = ref.build()
    for line in cmds:
        if not run_one(drv, ref, stats, build_err, line, ctx):
            return


def documented_refusal(cerr):
    """Graphs migrate refuses and Alembic accepts (rules §13.2):
    its id/label grammar, duplicate ids or parents, a down_revision naming
    a label, a dependency on the revision's own label, and loops Alembic's
    cycle check misses."""
    code, msg, detail = cerr
    detail = detail or ""
    return (code in ("BAD_ID", "DUPLICATE_ID") or
            (code == "DEP_SELF_LOOP" and "own branch label" in detail) or
            (code == "MISSING_PARENT" and "branch label" in detail and
             "down_revision" in detail) or
            (code in ("CYCLE", "DEP_CYCLE") and detail.startswith("These revisions are on a loop")))


def run_one(drv, ref, stats, build_err, line, ctx):
    """Run one command on both sides and compare; False ends the case."""
    cmd, sp, arg = line.partition(" ")
    arg = arg if sp else None
    rows_before = ref.rows() if build_err is None else ()
    out = drv.send([line])
    c = parse_c(out, rows_before)
    if "> build" in out:
        cerr = c.get("error")
        if cerr and documented_refusal(cerr) and \
                (build_err is None or build_err[0] != cerr[0]):
            stats.exclude("graph refused by migrate's stricter rules")
            return False
        if build_err is None:
            stats.failed += 1
            stats.failures.append("%s\n  migrate refuses the graph: %r" % (ctx(), cerr))
        elif build_err[0] == "CRASH":
            if cerr is None:
                stats.failed += 1
            else:
                stats.exclude("Alembic crash (%s)" % build_err[1].split(":")[0])
        elif same_error(build_err, cerr):
            stats.passed += 1
            stats.kind("build error " + build_err[0])
        else:
            stats.failed += 1
            stats.failures.append("%s\n  build: alembic %r migrate %r" % (ctx(), build_err, cerr))
        return False
    if build_err is not None:
        if "no graph" in out:
            return False
        stats.failed += 1
        stats.failures.append("%s\n  Alembic refuses the graph (%r), migrate builds it" % (ctx(), build_err))
        return False
    if cmd == "downgrade" and arg is not None and \
            ref.relative_downgrade_from_several_heads(arg):
        ce = c.get("error")
        if ce and ce[0] == "AMBIGUOUS_DOWNGRADE":
            stats.exclude("downgrade -N from several heads (refused)")
        else:
            stats.failed += 1
            stats.failures.append("%s\n  %s: expected a refusal, got %r" % (ctx(), line, c))
        return True
    a = ref.command(cmd, arg)
    resync = compare(ref, stats, cmd, arg, a, c, rows_before, ctx)
    if resync is not None and set(resync) != set(ref.rows()):
        ref.set_rows(sorted(resync))
    return True


def script_cases(path):
    """The cases of a driver script (a unit-test .case file: the part before
    "----"), split at "reset": [(rev lines, commands)]."""
    with open(path) as f:
        text = f.read().split("\n----\n")[0]
    cases = [([], [])]
    for line in text.splitlines():
        line = line.rstrip("\r")
        if not line or line.startswith("#"):
            continue
        if line == "reset":
            cases.append(([], []))
        elif line.startswith("rev "):
            cases[-1][0].append(line)
        elif line.startswith("rows ") or line == "rows":
            cases[-1][1].append(line)
        elif line.startswith("name"):
            continue
        else:
            cases[-1][1].append(line)
    return [c for c in cases if c[0] or c[1]]


def run_script_case(drv, ref, stats, revlines, cmds, path):
    """Like run_case, for a hand-written script; "rows" lines set the
    version rows on both sides."""
    lines = [rev_line(parse_rev(l)) for l in revlines]
    ref.reset()
    for line in lines:
        ref.add_rev(line)
    drv.send(["reset"] + lines)
    build_err = ref.build()

    def ctx():
        return "%s:\n    " % path + "\n    ".join(lines)

    for line in cmds:
        cmd, sp, arg = line.partition(" ")
        if cmd == "rows":
            drv.send([line])
            if build_err is None:
                ref.set_rows([x for x in arg.split(",") if x])
            continue
        if not run_one(drv, ref, stats, build_err, line, ctx):
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("driver")
    ap.add_argument("--script", nargs="*", default=None,
                    help="check these scripts instead of random graphs")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--graphs", type=int, default=2500)
    ap.add_argument("--seconds", type=float, default=45.0)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    _pick.seed(args.seed + 1)
    drv = CDriver(args.driver)
    ref = AlembicRef()
    stats = Stats()
    t0 = time.time()
    graphs = 0
    if args.script is not None:
        for path in args.script:
            for revlines, cmds in script_cases(path):
                run_script_case(drv, ref, stats, revlines, cmds, path)
                graphs += 1
        args.graphs = 0
    for g in range(args.graphs):
        if time.time() - t0 > args.seconds:
            break
        revs = gen_graph(rng)
        cmds = gen_commands(rng, revs)
        run_case(drv, ref, stats, revs, cmds, args.v)
        graphs += 1
    drv.close()
    for f in stats.failures:
        print("MISMATCH " + f + "\n")
    print("difftest: %d graphs, %.1f s, %d commands compared with Alembic %s"
          % (graphs, time.time() - t0, stats.passed + stats.failed,
             __import__("alembic").__version__))
    if args.v or stats.failed:
        for what, n in sorted(stats.kinds.items()):
            print("  compared: %-40s %d" % (what, n))
    for why, n in sorted(stats.excluded.items()):
        print("  excluded (documented difference): %-60s %d" % (why, n))
    print("%d passed, %d failed" % (stats.passed, stats.failed))
    sys.exit(1 if stats.failed else 0)


if __name__ == "__main__":
    main()
