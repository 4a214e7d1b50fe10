#!/usr/bin/python3
"""Check META.json against the PGXN Meta Spec 1.0.0, and against the tree.

    test/pgxn_meta.py [META.json]     check the file (default: the tree's)
    test/pgxn_meta.py --self-test     also check that broken variants of it
                                      are refused, each for its reason

No validator for PGXN metadata is packaged by Debian, nor found in the npm
registry, and the reference validators (Perl, Rust) come from registries
this project cannot use; so this script checks the rules of the spec that
apply to a distribution's META.json:

  - the required keys (name, version, abstract, maintainer, license,
    provides, meta-spec) and no others at any level but the spec's and
    custom "x_" keys;
  - versions are semantic versions (MAJOR.MINOR.PATCH, no leading zeros,
    optional -prerelease and +build), version ranges are 0 or
    comma-separated [op] semver clauses;
  - names are terms (two or more characters, no slash, backslash, space or
    control character), tags likewise but may hold spaces;
  - license: one of the spec's license strings, a list of them, or an
    object mapping license names to URLs;
  - provides: each extension has a file and a version (abstract and
    docfile optional); prereqs: phases configure, build, test, runtime,
    develop, relationships requires, recommends, suggests, conflicts;
  - meta-spec version 1.0.x; release_status stable, testing or unstable;
    resources and no_index in their shapes.

And what the spec cannot know: the version is migrate.control's
default_version (as a semantic version: 0.1 is 0.1.0), every extension of
the tree (a control file: migrate, migrate_tap) is provided at its control
file's default_version, and every file named exists.  Exits 1 with one line
per problem.
"""

import copy
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

LICENSES = {
    "agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd",
    "freebsd", "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1",
    "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5",
    "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source",
    "restricted", "unrestricted", "unknown",
}
PHASES = {"configure", "build", "test", "runtime", "develop"}
RELATIONSHIPS = {"requires", "recommends", "suggests", "conflicts"}
TOP_KEYS = {"name", "version", "abstract", "maintainer", "license",
            "provides", "meta-spec", "description", "generated_by", "tags",
            "no_index", "prereqs", "release_status", "resources"}
REQUIRED = ["name", "version", "abstract", "maintainer", "license",
            "provides", "meta-spec"]
SPEC_URLS = {"https://pgxn.org/meta/spec.txt", "http://pgxn.org/meta/spec.txt"}

_NUM = r"(?:0|[1-9][0-9]*)"
_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER = (_NUM + r"\." + _NUM + r"\." + _NUM +
          r"(?:-" + _PRE + r"(?:\." + _PRE + r")*)?"
          r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
SEMVER_RE = re.compile("^" + SEMVER + "$")
CLAUSE_RE = re.compile(r"^\s*(?:(?:==|!=|<=|>=|<|>)\s*)?" + SEMVER + r"\s*$")
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_custom(key):
    return isinstance(key, str) and re.match(r"^[xX]_.", key) is not None


class Checker:
    def __init__(self, top):
        self.top = top
        self.problems = []

    def bad(self, where, what):
        self.problems.append("%s: %s" % (where, what))

    # --- value shapes

    def string(self, where, v, min_len=1):
        if not isinstance(v, str):
            self.bad(where, "must be a string")
            return False
        if len(v) < min_len:
            self.bad(where, "must be at least %d character(s) long" % min_len)
            return False
        return True

    def term(self, where, v):
        if self.string(where, v, 2) and re.search(r"[/\\\s\x00-\x1f\x7f]", v):
            self.bad(where, "%r is not a term (no slash, backslash, space or control character)" % v)

    def semver(self, where, v):
        if self.string(where, v) and not SEMVER_RE.match(v):
            self.bad(where, "%r is not a semantic version (MAJOR.MINOR.PATCH)" % v)

    def version_range(self, where, v):
        if v == 0 and not isinstance(v, bool):
            return
        if not isinstance(v, str):
            self.bad(where, "a version range must be 0 or a string")
            return
        if v.strip() == "0":
            return
        for clause in v.split(","):
            if not CLAUSE_RE.match(clause):
                self.bad(where, "%r is not a version range (0, or [op] semver clauses joined by commas)" % v)
                return

    def uri(self, where, v):
        if self.string(where, v) and not URI_RE.match(v):
            self.bad(where, "%r is not a URI" % v)

    def path(self, where, v):
        if not self.string(where, v, 2):
            return
        if v.startswith("/") or "\\" in v or ".." in v.split("/"):
            self.bad(where, "%r is not a relative path with Unix separators" % v)

    def keys(self, where, obj, allowed, required=()):
        if not isinstance(obj, dict):
            self.bad(where, "must be an object")
            return False
        for k in required:
            if k not in obj:
                self.bad(where, "missing required key %r" % k)
        for k in obj:
            if k not in allowed and not is_custom(k):
                self.bad(where, "unknown key %r (custom keys start with x_)" % k)
        return True

    # --- the spec's structures

    def check(self, meta):
        if not self.keys("META.json", meta, TOP_KEYS, REQUIRED):
            return
        if "name" in meta:
            self.term("name", meta["name"])
        if "version" in meta:
            self.semver("version", meta["version"])
        for k in ("abstract", "description", "generated_by"):
            if k in meta:
                self.string(k, meta[k])
        if "maintainer" in meta:
            self.maintainer(meta["maintainer"])
        if "license" in meta:
            self.license(meta["license"])
        if "provides" in meta:
            self.provides(meta["provides"])
        if "meta-spec" in meta:
            self.meta_spec(meta["meta-spec"])
        if "prereqs" in meta:
            self.prereqs(meta["prereqs"])
        if "release_status" in meta and meta["release_status"] not in ("stable", "testing", "unstable"):
            self.bad("release_status", "%r is not stable, testing or unstable" % (meta["release_status"],))
        if "tags" in meta:
            self.tags(meta["tags"])
        if "no_index" in meta:
            self.no_index(meta["no_index"])
        if "resources" in meta:
            self.resources(meta["resources"])

    def maintainer(self, v):
        if isinstance(v, list):
            if not v:
                self.bad("maintainer", "the list is empty")
            for i, m in enumerate(v):
                self.string("maintainer[%d]" % i, m)
        else:
            self.string("maintainer", v)

    def license(self, v):
        if isinstance(v, str):
            if v not in LICENSES:
                self.bad("license", "%r is not a license string of the spec" % v)
        elif isinstance(v, list):
            if not v:
                self.bad("license", "the list is empty")
            for i, lic in enumerate(v):
                if lic not in LICENSES:
                    self.bad("license[%d]" % i, "%r is not a license string of the spec" % (lic,))
        elif isinstance(v, dict):
            if not v:
                self.bad("license", "the object is empty")
            for name, url in v.items():
                self.uri("license.%s" % name, url)
        else:
            self.bad("license", "must be a string, a list or an object")

    def provides(self, v):
        if not isinstance(v, dict) or not v:
            self.bad("provides", "must be an object naming at least one extension")
            return
        for ext, spec in v.items():
            where = "provides.%s" % ext
            self.term(where, ext)
            if not self.keys(where, spec, {"file", "version", "abstract", "docfile"}, ("file", "version")):
                continue
            if "file" in spec:
                self.path(where + ".file", spec["file"])
            if "docfile" in spec:
                self.path(where + ".docfile", spec["docfile"])
            if "version" in spec:
                self.semver(where + ".version", spec["version"])
            if "abstract" in spec:
                self.string(where + ".abstract", spec["abstract"])

    def meta_spec(self, v):
        if not self.keys("meta-spec", v, {"version", "url"}, ("version",)):
            return
        if "version" in v and not (isinstance(v["version"], str) and re.match(r"^1\.0\.[0-9]+$", v["version"])):
            self.bad("meta-spec.version", "%r is not 1.0.x" % (v["version"],))
        if "url" in v and v["url"] not in SPEC_URLS:
            self.bad("meta-spec.url", "%r is not the spec's URL" % (v["url"],))

    def prereqs(self, v):
        if not self.keys("prereqs", v, PHASES):
            return
        if not v:
            self.bad("prereqs", "the object is empty")
        for phase, rels in v.items():
            if is_custom(phase):
                continue
            where = "prereqs.%s" % phase
            if not self.keys(where, rels, RELATIONSHIPS):
                continue
            if not rels:
                self.bad(where, "the object is empty")
            for rel, deps in rels.items():
                if is_custom(rel):
                    continue
                if not isinstance(deps, dict):
                    self.bad("%s.%s" % (where, rel), "must be an object of names and version ranges")
                    continue
                for name, rng in deps.items():
                    self.term("%s.%s.%s" % (where, rel, name), name)
                    self.version_range("%s.%s.%s" % (where, rel, name), rng)

    def tags(self, v):
        if not isinstance(v, list) or not v:
            self.bad("tags", "must be a non-empty list")
            return
        for i, t in enumerate(v):
            if self.string("tags[%d]" % i, t, 2):
                if len(t) > 255 or re.search(r"[/\\\x00-\x1f\x7f]", t):
                    self.bad("tags[%d]" % i, "%r is not a tag (under 256 characters, no slash, backslash or control character)" % t)

    def no_index(self, v):
        if not self.keys("no_index", v, {"file", "directory"}):
            return
        for k in ("file", "directory"):
            if k in v:
                items = v[k] if isinstance(v[k], list) else [v[k]]
                if not items:
                    self.bad("no_index.%s" % k, "the list is empty")
                for i, p in enumerate(items):
                    self.path("no_index.%s[%d]" % (k, i), p)

    def resources(self, v):
        if not self.keys("resources", v, {"homepage", "bugtracker", "repository"}):
            return
        if not v:
            self.bad("resources", "the object is empty")
        if "homepage" in v:
            self.uri("resources.homepage", v["homepage"])
        if "bugtracker" in v:
            b = v["bugtracker"]
            if self.keys("resources.bugtracker", b, {"web", "mailto"}):
                if "web" not in b and "mailto" not in b:
                    self.bad("resources.bugtracker", "needs web or mailto")
                if "web" in b:
                    self.uri("resources.bugtracker.web", b["web"])
                if "mailto" in b and not (isinstance(b["mailto"], str) and EMAIL_RE.match(b["mailto"])):
                    self.bad("resources.bugtracker.mailto", "%r is not an email address" % (b["mailto"],))
        if "repository" in v:
            r = v["repository"]
            if self.keys("resources.repository", r, {"url", "web", "type"}):
                if "web" not in r and not ("url" in r and "type" in r):
                    self.bad("resources.repository", "needs web, or url and type")
                for k in ("url", "web"):
                    if k in r:
                        self.uri("resources.repository." + k, r[k])
                if "type" in r and not (isinstance(r["type"], str) and re.match(r"^[a-z]+$", r["type"])):
                    self.bad("resources.repository.type", "%r is not a lowercase word" % (r["type"],))

    # --- what the spec cannot know: the tree

    def default_version(self, control):
        """A control file's default_version, and as a semantic version."""
        with open(control) as f:
            m = re.search(r"^default_version\s*=\s*'([^']*)'", f.read(), re.M)
        if not m:
            self.bad(os.path.basename(control), "no default_version")
            return None, None
        default = m.group(1)
        parts = default.split(".")
        return default, ".".join(parts + ["0"] * (3 - len(parts))) if len(parts) < 3 else default

    def against_tree(self, meta):
        default, as_semver = self.default_version(os.path.join(self.top, "migrate.control"))
        if default is None:
            return
        if meta.get("version") != as_semver:
            self.bad("version", "%r does not match migrate.control's default_version %r (%s)"
                     % (meta.get("version"), default, as_semver))
        provided = meta.get("provides")
        if isinstance(provided, dict):
            for control in sorted(glob.glob(os.path.join(self.top, "*.control"))):
                ext = os.path.basename(control)[:-len(".control")]
                default, as_semver = self.default_version(control)
                if default is None:
                    continue
                if ext not in provided:
                    self.bad("provides", "the extension %r (%s.control) is not provided" % (ext, ext))
                elif isinstance(provided[ext], dict) and provided[ext].get("version") != as_semver:
                    self.bad("provides.%s.version" % ext, "%r does not match %s.control's default_version %r"
                             % (provided[ext].get("version"), ext, default))
            for name, spec in provided.items():
                if not isinstance(spec, dict):
                    continue
                for k in ("file", "docfile"):
                    p = spec.get(k)
                    if isinstance(p, str) and not os.path.isfile(os.path.join(self.top, p)):
                        self.bad("provides.%s.%s" % (name, k), "%r does not exist in the tree" % p)


def problems_of(meta, top):
    c = Checker(top)
    c.check(meta)
    if isinstance(meta, dict):
        c.against_tree(meta)
    return c.problems


# Each broken variant of the real file, with words its refusal must contain.
def _set(path, value):
    def change(m):
        *parents, last = path
        for p in parents:
            m = m[p]
        if value is _DELETE:
            del m[last]
        else:
            m[last] = value
    return change


_DELETE = object()
BROKEN = [
    ("no license", _set(["license"], _DELETE), "missing required key 'license'"),
    ("no meta-spec", _set(["meta-spec"], _DELETE), "missing required key 'meta-spec'"),
    ("two-part version", _set(["version"], "0.1"), "is not a semantic version"),
    ("leading zero", _set(["version"], "0.01.0"), "is not a semantic version"),
    ("license prose", _set(["license"], "PostgreSQL License"), "is not a license string"),
    ("license list", _set(["license"], ["postgresql", "wtfpl"]), "'wtfpl' is not a license string"),
    ("license object", _set(["license"], {"PostgreSQL": "see the README"}), "is not a URI"),
    ("name with a space", _set(["name"], "my migrate"), "is not a term"),
    ("empty maintainer list", _set(["maintainer"], []), "the list is empty"),
    ("unknown top-level key", _set(["homepage"], "https://example.org/"), "unknown key 'homepage'"),
    ("custom key", None, None),
    ("provides without file", _set(["provides", "migrate", "file"], _DELETE), "missing required key 'file'"),
    ("provides with a foreign key", _set(["provides", "migrate", "docs"], "README.md"), "unknown key 'docs'"),
    ("absolute file", _set(["provides", "migrate", "file"], "/migrate--0.1.sql"), "is not a relative path"),
    ("missing file", _set(["provides", "migrate", "file"], "sql/migrate.sql"), "does not exist in the tree"),
    ("provides version", _set(["provides", "migrate", "version"], "9.9.0"), "does not match migrate.control"),
    ("version not the control's", _set(["version"], "9.9.0"), "does not match migrate.control"),
    ("migrate_tap not provided", _set(["provides", "migrate_tap"], _DELETE),
     "the extension 'migrate_tap' (migrate_tap.control) is not provided"),
    ("unknown phase", _set(["prereqs", "deploy"], {"requires": {"plpgsql": 0}}), "unknown key 'deploy'"),
    ("unknown relationship", _set(["prereqs", "runtime", "needs"], {"plpgsql": 0}), "unknown key 'needs'"),
    ("bad version range", _set(["prereqs", "runtime", "requires", "PostgreSQL"], "15"), "is not a version range"),
    ("bad range operator", _set(["prereqs", "runtime", "requires", "PostgreSQL"], "=> 15.0.0"), "is not a version range"),
    ("meta-spec 2", _set(["meta-spec", "version"], "2.0.0"), "is not 1.0.x"),
    ("release status", _set(["release_status"], "beta"), "is not stable, testing or unstable"),
    ("short tag", _set(["tags"], ["x"]), "must be at least 2 character(s) long"),
    ("repository without type", _set(["resources"], {"repository": {"url": "https://example.org/m.git"}}),
     "needs web, or url and type"),
]


def self_test(meta, top):
    failures = 0
    for what, change, expect in BROKEN:
        m = copy.deepcopy(meta)
        if change is None:
            # a custom key is allowed anywhere the spec allows one
            m["x_deploy"] = {"debian": "debian/"}
            m["provides"]["migrate"]["x_note"] = "custom"
            found = problems_of(m, top)
            ok = not found
        else:
            change(m)
            found = problems_of(m, top)
            ok = any(expect in p for p in found)
        print("%s: %s%s" % ("ok" if ok else "FAIL", what,
                             (" -> " + "; ".join(found)) if found else " -> accepted"))
        failures += not ok
    return failures


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    path = args[0] if args else os.path.join(TOP, "META.json")
    top = os.path.dirname(os.path.abspath(path))
    try:
        with open(path) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        print("%s: %s" % (path, e))
        return 1
    problems = problems_of(meta, top)
    for p in problems:
        print("%s: %s" % (path, p))
    if not problems:
        print("%s: valid PGXN Meta Spec 1.0.0 (%s %s)" % (path, meta["name"], meta["version"]))
    failures = len(problems)
    if "--self-test" in argv:
        failures += self_test(meta, top)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
