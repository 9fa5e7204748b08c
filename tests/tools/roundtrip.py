#!/usr/bin/env python3
"""roundtrip.py - check that a provex store holds every document of its
inputs, byte for byte, with the provenance its index commands asked for.

    roundtrip.py --store STORE --provex PROVEX --runs RUNS [--max-report N]

RUNS is a file with one JSON array per line: the arguments given to one
`provex index STORE ...` run (inputs and options, without STORE), in the
order the runs were made.  Independently of provex, this script reads the
original inputs with Python's json and csv modules (plain-text files as
raw bytes), applies the same options (--format, --records, --glob,
--text-field, --text-template, --id-field, --origin/--source/--generator/
--purpose, --X-field, --X-map) as provex(1) documents them, and builds the
list of documents the store should hold: ext_id, origin, source,
generator, purpose and text bytes.

It then lists the store (`provex ls STORE --json`), fetches every text
with `provex cat STORE ID...` (a few thousand ids per call, the output
split by each document's `bytes`), and pairs stored documents with
expected ones by ext_id and labels.  Every difference is reported: a text
that differs (with the first differing byte offset), labels that differ,
documents missing from the store, documents the inputs do not explain.

Exit status 0 when everything matches, 1 when something differs, 2 when
the check itself could not run (bad arguments, an input it cannot read, a
provex command that failed).  Python 3 standard library only.

When PROVEX_VALGRIND is set, provex runs under valgrind as in
tests/cli/lib.sh (a memory error or leak makes it exit 99: reported).
"""

import argparse
import csv
import gzip
import io
import json
import os
import re
import subprocess
import sys
from fnmatch import fnmatchcase

BATCH = 5000            # ids per `provex cat` call
PROV = ("origin", "source", "generator", "purpose")
ORIGINS = {
    "real": "real", "human": "real", "original": "real", "natural": "real",
    "synthetic": "synthetic", "machine": "synthetic", "generated": "synthetic",
    "model": "synthetic", "ai": "synthetic", "llm": "synthetic",
    "unknown": "unknown",
}


class Fatal(Exception):
    """The check cannot run (exit 2)."""


# ---- options ------------------------------------------------------------

# provex index options that take a value, and those that do not.
VALUE_OPTS = {"--format", "--records", "--glob", "--text-field",
              "--text-template", "--id-field", "--rules", "--level",
              "--dict-size", "--meta-fields", "--drop-fields",
              "--max-doc-size"}
for _p in PROV:
    VALUE_OPTS |= {"--" + _p, "--%s-field" % _p, "--%s-map" % _p}
# (metadata options change only docs.meta, which this does not compare)
FLAG_OPTS = {"--new-dict", "--strict", "-q", "--quiet", "--json",
             "--keep-consumed"}


def parse_run(argv):
    """One run's arguments -> (inputs, options dict)."""
    inputs, opts = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            inputs.extend(argv[i + 1:])
            break
        name, eq, val = a.partition("=")
        if a.startswith("--") and name in VALUE_OPTS:
            if not eq:
                i += 1
                if i >= len(argv):
                    raise Fatal("option %s needs a value" % a)
                val = argv[i]
            opts[name[2:]] = val
        elif a in FLAG_OPTS:
            pass
        elif a.startswith("-") and a != "-":
            raise Fatal("option %s is not understood by roundtrip.py" % a)
        else:
            inputs.append(a)
        i += 1
    if "rules" in opts:
        raise Fatal("--rules is not supported by roundtrip.py")
    if "-" in inputs:
        raise Fatal("standard input is not supported by roundtrip.py")
    return inputs, opts


def parse_valmap(spec):
    """'glob=value,glob=value' ('\\,' and '\\=' escape) -> [(glob, value)]."""
    pairs, cur, pat, i = [], [], None, 0
    while i < len(spec):
        c = spec[i]
        if c == "\\" and i + 1 < len(spec) and spec[i + 1] in ",=":
            cur.append(spec[i + 1])
            i += 2
            continue
        if c == "=" and pat is None:
            pat, cur = "".join(cur), []
        elif c == ",":
            if pat is None:
                raise Fatal("map %r: a pair without '='" % spec)
            pairs.append((pat, "".join(cur)))
            pat, cur = None, []
        else:
            cur.append(c)
        i += 1
    if pat is not None:
        pairs.append((pat, "".join(cur)))
    elif cur:
        raise Fatal("map %r: a pair without '='" % spec)
    return pairs


# ---- finding and reading inputs -----------------------------------------

def glob_match(pattern, rel):
    """fnmatch(pattern, rel, FNM_PATHNAME) or fnmatch(pattern, basename, 0)."""
    base = rel.rsplit("/", 1)[-1]
    if fnmatchcase(base, pattern):
        return True
    pp, rp = pattern.split("/"), rel.split("/")
    return len(pp) == len(rp) and all(fnmatchcase(r, p) for r, p in zip(rp, pp))


def walk(path, pattern):
    """The files an input names, as provex's walk gives them."""
    if not os.path.isdir(path):
        if not os.path.exists(path):
            raise Fatal("%s: no such file or directory" % path)
        return [path]
    out = []

    def rec(d, rel):
        names = sorted((n for n in os.listdir(d) if not n.startswith(".")),
                       key=os.fsencode)
        for n in names:
            p = d + n if d.endswith("/") else d + "/" + n
            r = rel + n
            if os.path.islink(p) and os.path.isdir(p):
                continue
            if os.path.isdir(p):
                rec(p, r + "/")
            elif os.path.isfile(p) and (pattern is None or glob_match(pattern, r)):
                out.append(p)
    rec(path, "")
    return out


def guess_format(path):
    name = path
    for z in (".gz", ".zst"):
        if name.endswith(z):
            name = name[: -len(z)]
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    return "text"


def read_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        raise Fatal("%s: zstd input is not supported by roundtrip.py" % path)
    return data


def first_pairs(pairs):
    """object_pairs_hook keeping the last of repeated keys, as provex, Python
    and jq do (the name is older than that rule)."""
    return dict(pairs)


def strip_bom(data):
    return data[3:] if data[:3] == b"\xef\xbb\xbf" else data


# A record: (line, index, array_key, value) where value is a dict (fields),
# a str (bare text), bytes (a text file), or None (a bad record).

def records_jsonl(data, path):
    data = strip_bom(data)
    for lineno, line in enumerate(data.split(b"\n"), 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line.strip(b" \t\r\n"):
            continue
        try:
            v = json.loads(line.decode("utf-8", "surrogateescape"),
                           object_pairs_hook=first_pairs)
        except ValueError:
            v = None
        yield lineno, None, None, v if isinstance(v, (dict, str)) else None


def records_json(data, path, key):
    try:
        top = json.loads(strip_bom(data).decode("utf-8", "surrogateescape"),
                         object_pairs_hook=first_pairs)
    except ValueError as e:
        raise Fatal("%s: not JSON: %s" % (path, e))
    if isinstance(top, list):
        arrays = [(None, top)]
    elif isinstance(top, dict):
        if key is not None and not isinstance(top.get(key), list):
            raise Fatal("%s: no array under '%s'" % (path, key))
        arrays = [(k, v) for k, v in top.items()
                  if isinstance(v, list) and (key is None or k == key)]
    else:
        raise Fatal("%s: neither an array nor an object" % path)
    for k, arr in arrays:
        for i, v in enumerate(arr):
            yield None, i, k, v if isinstance(v, (dict, str)) else None


def records_csv(data, path):
    text = strip_bom(data).decode("utf-8", "surrogateescape")
    rd = csv.reader(io.StringIO(text, newline=""))
    header, prev = None, 0
    for row in rd:
        start, prev = prev + 1, rd.line_num
        if not row:
            continue
        if header is None:
            header = row
            continue
        if len(row) != len(header):
            yield start, None, None, None
            continue
        yield start, None, None, first_pairs(zip(header, row))


def read_records(path, fmt, key):
    data = read_bytes(path)
    if fmt == "jsonl":
        return records_jsonl(data, path)
    if fmt == "json":
        return records_json(data, path, key)
    if fmt == "csv":
        return records_csv(data, path)
    return iter([(1, None, None, data)])


# ---- records -> documents ----------------------------------------------

def as_bytes(v):
    """A decoded value as the bytes provex stores."""
    if isinstance(v, bytes):
        return v
    return v.encode("utf-8", "surrogateescape" if isinstance(v, str) and
                    re.search("[\udc80-\udcff]", v) else "surrogatepass")


def value_text(v):
    """A field's value as text: strings decoded, other JSON as written (for
    the simple values this script can reproduce); None when absent/null."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    raise Fatal("a non-string field used as text or label (%s...): its JSON as "
                "written cannot be reproduced by roundtrip.py" % repr(v)[:40])


def lookup(rec, path):
    """A field by path as provex reads it: an exact key first, else split at
    the first '.' into a nested object (a number indexes an array)."""
    if not isinstance(rec, dict):
        return None
    if path in rec:
        return rec[path]
    if "." not in path:
        return None
    head, rest = path.split(".", 1)
    v = rec.get(head)
    while True:
        if isinstance(v, dict):
            return lookup(v, rest)
        if isinstance(v, list) and rest.split(".", 1)[0].isdigit():
            k, _, more = rest.partition(".")
            if int(k) >= len(v):
                return None
            if not more:
                return v[int(k)]
            v, rest = v[int(k)], more
            continue
        return None


def expand_template(tpl, rec):
    out, i = [], 0
    while i < len(tpl):
        c = tpl[i]
        if c == "\\" and i + 1 < len(tpl):
            n = tpl[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(n, n))
            i += 2
        elif tpl.startswith("{{", i) or tpl.startswith("}}", i):
            out.append(c)
            i += 2
        elif c == "{" and "}" in tpl[i:]:
            end = tpl.index("}", i)
            name = tpl[i + 1:end]
            if isinstance(rec, dict):
                v = value_text(lookup(rec, name))
            else:
                v = rec if name == "text" else None
            if v is not None:
                out.append(v)
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expected_docs(runs):
    """Every document the runs should have stored, in order, and counts."""
    docs, seen = [], set()
    rejected = 0
    for argv in runs:
        inputs, o = parse_run(argv)
        maps = {p: parse_valmap(o[p + "-map"]) for p in PROV if p + "-map" in o}
        optkey = tuple(sorted(o.items()))
        for inp in inputs:
            for path in walk(inp, o.get("glob")):
                fmt = o.get("format") or guess_format(path)
                real = os.path.realpath(path)
                recno = -1
                for line, index, akey, v in read_records(path, fmt, o.get("records")):
                    recno += 1
                    if v is None:
                        rejected += 1
                        continue
                    # text
                    if "text-template" in o:
                        text = expand_template(o["text-template"], v)
                    elif not isinstance(v, dict):
                        text = v
                    else:
                        text = lookup(v, o.get("text-field", "text"))
                        if not isinstance(text, str):
                            rejected += 1
                            continue
                    tb = as_bytes(text)
                    if not tb:
                        rejected += 1
                        continue
                    # id
                    ext = None
                    if "id-field" in o and isinstance(v, dict):
                        ext = value_text(lookup(v, o["id-field"])) or None
                    if ext is None:
                        if akey is not None:
                            ext = "%s:%s:%d" % (path, akey, index)
                        elif index is not None:
                            ext = "%s:%d" % (path, index)
                        elif fmt == "text":
                            ext = path
                        else:
                            ext = "%s:%d" % (path, line)
                    # provenance: flags, then fields (mapped)
                    lab = {p: o.get(p) for p in PROV}
                    for p in PROV:
                        f = o.get(p + "-field")
                        if f is None or not isinstance(v, dict):
                            continue
                        val = value_text(lookup(v, f))
                        if val is None:
                            continue
                        if p in maps:
                            hit = [m for g, m in maps[p] if fnmatchcase(val, g)]
                            if not hit:
                                continue
                            val = hit[0]
                        lab[p] = val
                    lab = {p: (x if x else None) for p, x in lab.items()}
                    lab["origin"] = ORIGINS.get((lab["origin"] or "unknown").lower(),
                                                "unknown")
                    # the same command again adds nothing: a document is its
                    # input, record number and text (under the same options)
                    key = (optkey, real, recno, tb)
                    if key in seen:
                        continue
                    seen.add(key)
                    docs.append(dict(lab, ext_id=ext, text=tb))
    return docs, rejected


# ---- the store ------------------------------------------------------------

def provex_cmd(provex):
    if os.environ.get("PROVEX_VALGRIND"):
        return ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect", provex]
    return [provex]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        shown = " ".join(cmd[:6]) + (" ..." if len(cmd) > 6 else "")
        raise Fatal("%s: exit status %d: %s" % (
            shown, p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))
    return p.stdout


def stored_docs(provex, store):
    pv = provex_cmd(provex)
    docs = []
    for line in run(pv + ["ls", store, "--json"]).splitlines():
        if line.strip():
            docs.append(json.loads(line))
    for i in range(0, len(docs), BATCH):
        part = docs[i:i + BATCH]
        out = run(pv + ["cat", store] + [str(d["id"]) for d in part])
        want = sum(d["bytes"] for d in part)
        if len(out) != want:
            raise Fatal("provex cat printed %d bytes for ids %d..%d, ls said %d"
                        % (len(out), part[0]["id"], part[-1]["id"], want))
        pos = 0
        for d in part:
            d["text"] = out[pos:pos + d["bytes"]]
            pos += d["bytes"]
    return docs


# ---- comparing ---------------------------------------------------------------

def labels(d):
    return tuple(d.get(p) for p in PROV)


def show_labels(t):
    return " ".join("%s=%s" % (p, "-" if v is None else v) for p, v in zip(PROV, t))


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def compare(stored, expected, report):
    byid = {}
    for e in expected:
        byid.setdefault(e["ext_id"], []).append(e)
    problems = {"text differs": 0, "labels differ": 0,
                "missing from the store": 0, "not in the inputs": 0}
    shown = [0]

    def say(kind, msg):
        problems[kind] += 1
        if shown[0] < report:
            print(msg)
            shown[0] += 1

    ok = 0
    for s in stored:
        cands = byid.get(s["ext_id"], [])
        lab = labels(s)
        exact = next((c for c in cands if labels(c) == lab and c["text"] == s["text"]), None)
        if exact is not None:
            cands.remove(exact)
            ok += 1
            continue
        same_lab = next((c for c in cands if labels(c) == lab), None)
        if same_lab is not None:
            cands.remove(same_lab)
            t, w = s["text"], same_lab["text"]
            at = first_diff(t, w)
            say("text differs", "%s (id %d): text differs at byte %d: stored %d bytes "
                "%r..., the input has %d bytes %r..." % (
                    s["ext_id"], s["id"], at, len(t), t[at:at + 24], len(w), w[at:at + 24]))
            continue
        same_text = next((c for c in cands if c["text"] == s["text"]), None)
        if same_text is not None:
            cands.remove(same_text)
            say("labels differ", "%s (id %d): labels differ: stored %s, expected %s" % (
                s["ext_id"], s["id"], show_labels(lab), show_labels(labels(same_text))))
            continue
        if len(cands) == 1:         # the one document it can be: both differ
            c = cands.pop()
            at = first_diff(s["text"], c["text"])
            say("labels differ", "%s (id %d): labels differ: stored %s, expected %s; "
                "and the text differs at byte %d (stored %d bytes, the input has %d)" % (
                    s["ext_id"], s["id"], show_labels(lab), show_labels(labels(c)),
                    at, len(s["text"]), len(c["text"])))
            continue
        say("not in the inputs", "%s (id %d, %s): no such document in the inputs%s" % (
            s["ext_id"], s["id"], show_labels(lab),
            " (candidates: %s)" % "; ".join(show_labels(labels(c)) for c in cands)
            if cands else ""))
    for ext, cands in byid.items():
        for c in cands:
            say("missing from the store", "%s (%s, %d bytes): missing from the store" % (
                ext, show_labels(labels(c)), len(c["text"])))
    return ok, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--provex", required=True)
    ap.add_argument("--runs", required=True,
                    help="file: one JSON array of index arguments per line")
    ap.add_argument("--max-report", type=int, default=20)
    a = ap.parse_args()
    try:
        with open(a.runs, encoding="utf-8") as f:
            runs = [json.loads(l) for l in f if l.strip()]
        csv.field_size_limit(sys.maxsize)
        expected, rejected = expected_docs(runs)
        stored = stored_docs(a.provex, a.store)
    except (Fatal, OSError, ValueError) as e:
        print("roundtrip: cannot check: %s" % e)
        return 2
    ok, problems = compare(stored, expected, a.max_report)
    nprob = sum(problems.values())
    print("roundtrip: %d stored, %d expected (%d records rejected), %d identical%s" % (
        len(stored), len(expected), rejected, ok,
        "" if not nprob else "; " + ", ".join(
            "%s: %d" % (k, v) for k, v in problems.items() if v)))
    return 1 if nprob else 0


if __name__ == "__main__":
    sys.exit(main())
