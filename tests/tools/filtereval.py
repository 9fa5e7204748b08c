#!/usr/bin/env python3
"""filtereval.py - random filters of provex's filter language, counted by
provex and by an evaluator of their own over the raw records.

    filtereval.py --provex PROVEX --store STORE --records FILE.jsonl
                  [--filters N] [--seed S] [--show K]

FILE.jsonl holds the records the store was indexed from, one JSON object
per line as they were given to `provex index STORE FILE.jsonl --id-field
id --origin-field origin --source-field source --generator-field
generator` (text in "text"; every other field but id and text is the
document's metadata).  This script builds N filters from the grammar in
provex(1) (field terms, metadata paths and values of every kind, words,
phrases, AND/OR/NOT, '-', parentheses), asks `provex count STORE FILTER`
for each, evaluates the same filter over the records with the semantics
the manual gives (written here independently of provex's SQL), and
reports every filter whose counts differ.

Words are drawn from ASCII words of the texts; a text's words are its
runs of Unicode letters and digits, case-folded with accents removed, as
FTS5's unicode61 tokenizer (remove_diacritics 2) finds them.

Exit status 0 when all counts agree, 1 when one differs, 2 when the check
could not run.  Python 3 standard library only.  Under PROVEX_VALGRIND
provex runs under valgrind as in tests/cli/lib.sh.
"""
import argparse, json, math, os, random, re, subprocess, sys, unicodedata

# ---- the records, as the store should see them ----

def fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.lower()

WORD = re.compile(r"[^\W_]+")

def tokens(text):
    return WORD.findall(fold(text))

class Rec:
    def __init__(self, d):
        self.text = d.get("text", "")
        self.origin = d.get("origin")
        self.source = d.get("source")
        self.generator = d.get("generator")
        self.meta = {k: v for k, v in d.items() if k not in ("id", "text")}
        self.len = len(self.text.encode("utf-8"))
        self.toks = tokens(self.text)
        self.tokset = set(self.toks)

def norm_origin(v):
    words = {"real": "real", "human": "real", "original": "real", "natural": "real",
             "synthetic": "synthetic", "machine": "synthetic", "generated": "synthetic",
             "model": "synthetic", "ai": "synthetic", "llm": "synthetic",
             "unknown": "unknown"}
    if not isinstance(v, str):
        return "unknown"
    return words.get(v.strip().lower(), v)

# ---- metadata paths (provex(1), "meta.PATH") ----

def readings(keys, i=0):
    """Every way keys[i:] may be read, as lists of ('k', name) / ('i', n)."""
    if i == len(keys):
        return [[]]
    out = []
    rest = keys[i:]
    if len(rest) > 1 and not any(q for _, q in rest):
        out.append([("k", ".".join(k for k, _ in rest))])
    k, q = keys[i]
    tails = readings(keys, i + 1)
    if not q and re.fullmatch(r"0|[1-9][0-9]{0,8}", k):
        out += [[("i", int(k))] + t for t in tails]
    out += [[("k", k)] + t for t in tails]
    return out

MISSING = object()

def walk(v, steps):
    for kind, s in steps:
        if kind == "k":
            if not isinstance(v, dict) or s not in v:
                return MISSING
            v = v[s]
        else:
            if not isinstance(v, list) or s >= len(v):
                return MISSING
            v = v[s]
    return v

def jtype(v):
    if v is MISSING:
        return None
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "real"
    if isinstance(v, str):
        return "text"
    return "object" if isinstance(v, dict) else "array"

def meta_vt(rec, keys):
    """(V, T): the first reading holding a non-null value, and the type of
    the first reading that exists (json_extract / json_type, coalesced)."""
    V, T = MISSING, None
    for r in readings(keys):
        x = walk(rec.meta, r)
        if T is None and x is not MISSING:
            T = jtype(x)
        if V is MISSING and x is not MISSING and x is not None:
            V = x
    return V, T

def sql_text(v):
    """CAST(v AS TEXT) as SQLite writes numbers."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        s = "%.15g" % v
        if re.fullmatch(r"-?[0-9]+", s):
            s += ".0"
        return s
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return v

def as_number(V, T):
    if T in ("integer", "real"):
        return V
    if T == "text":
        s = V.strip(" \t\n\r")
        if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", s):
            return json.loads(s)
    return None

def glob_match(pat, s):
    rx = "".join(".*" if c == "*" else re.escape(c) for c in pat)
    return re.fullmatch(rx, s, re.S) is not None

# ---- filters: a tree, its text, its evaluation ----
# nodes: ("and", [..]), ("or", [..]), ("not", n), ("field", f, [values]),
# ("meta", keys, [values]), ("has", keys), ("word", w), ("phrase", [w..])

def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def key_text(keys):
    out = []
    for k, q in keys:
        if q or not re.fullmatch(r'[^\s()",.:\\]+', k):
            out.append(quote(k))
        else:
            out.append(k)
    return ".".join(out)

def value_text(v):
    kind = v[0]
    if kind == "text":
        s = v[1]
        plain = re.fullmatch(r'[^\s()",*]+', s) and not re.fullmatch(
            r"true|false|null|-?[0-9][0-9.eE+-]*|[<>].*|.*\.\..*", s)
        return s if plain else quote(s)
    if kind == "num":
        return v[1]
    if kind in ("true", "false", "null"):
        return kind
    if kind == "glob":
        return v[1]
    if kind == "cmp":
        return v[1] + v[2]
    if kind == "range":
        return v[1] + ".." + v[2]
    raise ValueError(kind)

def text(n):
    t = n[0]
    if t in ("and", "or"):
        sep = " AND " if t == "and" else " OR "
        return "(" + sep.join(text(k) for k in n[1]) + ")"
    if t == "not":
        return ("NOT " if random.random() < 0.5 else "-") + text(n[1])
    if t == "field":
        return n[1] + ":" + ",".join(n[2])
    if t == "meta":
        return "meta." + key_text(n[1]) + ":" + ",".join(value_text(v) for v in n[2])
    if t == "has":
        return "has:meta." + key_text(n[1])
    if t == "word":
        return n[1]
    if t == "phrase":
        return quote(" ".join(n[1]))
    raise ValueError(t)

def meta_value_ok(V, T, v):
    kind = v[0]
    if kind == "text":
        return T == "text" and V == v[1]
    if kind == "num":
        x = json.loads(v[1])
        return (T in ("integer", "real") and V == x) or (T == "text" and V == v[1])
    if kind in ("true", "false"):
        return T == kind or (T == "text" and V == kind)
    if kind == "null":
        return T == "null" or (T == "text" and V == "null")
    if kind == "glob":
        if V is MISSING:
            return False
        s = "true" if T == "true" else "false" if T == "false" else sql_text(V)
        return isinstance(s, str) and glob_match(v[1], s)
    x = as_number(V, T) if V is not MISSING else None
    if x is None:
        return False
    if kind == "cmp":
        y = float(v[2])
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[v[1]]
    if kind == "range":
        return float(v[1]) <= x <= float(v[2])
    raise ValueError(kind)

def field_ok(rec, f, val):
    if f == "origin":
        return norm_origin(rec.origin) == norm_origin(val)
    if f == "len":
        if val.startswith(">="):
            return rec.len >= int(val[2:])
        if val.startswith("<="):
            return rec.len <= int(val[2:])
        if val.startswith(">"):
            return rec.len > int(val[1:])
        if val.startswith("<"):
            return rec.len < int(val[1:])
        if ".." in val:
            a, b = val.split("..")
            return int(a) <= rec.len <= int(b)
        return rec.len == int(val)
    v = getattr(rec, f)
    if not isinstance(v, str) or v == "":
        return False
    return glob_match(val, v) if "*" in val else v == val

def ev(rec, n):
    t = n[0]
    if t == "and":
        return all(ev(rec, k) for k in n[1])
    if t == "or":
        return any(ev(rec, k) for k in n[1])
    if t == "not":
        return not ev(rec, n[1])
    if t == "field":
        return any(field_ok(rec, n[1], v) for v in n[2])
    if t == "meta":
        V, T = meta_vt(rec, n[1])
        return any(meta_value_ok(V, T, v) for v in n[2])
    if t == "has":
        V, T = meta_vt(rec, n[1])
        return T is not None and T != "null"
    if t == "word":
        return n[1] in rec.tokset
    if t == "phrase":
        w = n[1]
        toks = rec.toks
        return any(toks[i:i + len(w)] == w for i in range(len(toks) - len(w) + 1))
    raise ValueError(t)

# ---- the generator ----

class Gen:
    def __init__(self, recs, rng):
        self.rng = rng
        self.recs = recs
        words = {}
        for r in recs:
            for w in r.tokset:
                if re.fullmatch(r"[a-z]{3,12}", w):
                    words[w] = words.get(w, 0) + 1
        common = sorted(words, key=lambda w: (-words[w], w))
        self.words = common[:300] or ["the"]
        self.values = {}
        for f in ("source", "generator"):
            vs = sorted({getattr(r, f) for r in recs if isinstance(getattr(r, f), str)
                         and getattr(r, f)})
            self.values[f] = vs or ["none"]
        self.paths = {}
        for r in recs:
            self.collect(r.meta, [], 0)
        self.pathlist = sorted(self.paths, key=repr)

    def collect(self, v, keys, depth):
        if depth > 3:
            return
        if isinstance(v, dict):
            for k, x in v.items():
                if '"' in k or "\\" in k or not k:
                    continue
                kk = keys + [(k, "." in k or not re.fullmatch(r'[^\s()",.:\\]+', k))]
                self.paths.setdefault(tuple(kk), []).append(x)
                self.collect(x, kk, depth + 1)
        elif isinstance(v, list) and v:
            kk = keys + [("0", False)]
            self.paths.setdefault(tuple(kk), []).append(v[0])
            self.collect(v[0], kk, depth + 1)

    def meta_value(self, samples):
        rng = self.rng
        x = rng.choice(samples)
        r = rng.random()
        if r < 0.1:
            return ("glob", "*")
        if isinstance(x, bool):
            return ("true",) if rng.random() < 0.5 else ("false",)
        if x is None:
            return ("null",)
        if isinstance(x, (int, float)) and math.isfinite(x):
            s = repr(x) if isinstance(x, int) else ("%.6g" % x)
            if not re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", s):
                return ("glob", "*")
            if r < 0.45:
                return ("num", s)
            if r < 0.8:
                return ("cmp", rng.choice(["<", "<=", ">", ">="]), s)
            y = rng.choice(samples)
            if isinstance(y, (int, float)) and not isinstance(y, bool) and math.isfinite(y):
                lo, hi = sorted([float(s), float("%.6g" % y)])
                return ("range", "%.6g" % lo, "%.6g" % hi)
            return ("num", s)
        if isinstance(x, str) and x and "\x00" not in x and len(x) < 60:
            if r < 0.4 and re.fullmatch(r"[A-Za-z]{2,}.*", x):
                return ("glob", x[:2] + "*")
            return ("text", x)
        return ("glob", "*")

    def term(self):
        rng = self.rng
        r = rng.random()
        if r < 0.35 and self.pathlist:
            keys = list(rng.choice(self.pathlist))
            if rng.random() < 0.15:
                return ("has", keys)
            samples = self.paths[tuple(keys)]
            vals = [self.meta_value(samples) for _ in range(1 if rng.random() < 0.8 else 2)]
            return ("meta", keys, vals)
        if r < 0.5:
            return ("field", "origin", [rng.choice(["real", "synthetic", "unknown", "human"])])
        if r < 0.62:
            f = rng.choice(["source", "generator"])
            v = rng.choice(self.values[f])
            if rng.random() < 0.4 and len(v) > 2:
                v = v[:2] + "*"
            if not re.fullmatch(r'[^\s()",]+', v):
                return ("field", "len", [">%d" % rng.choice([50, 200, 1000])])
            return ("field", f, [v])
        if r < 0.72:
            op = rng.choice([">", "<", ">=", "<="])
            return ("field", "len", ["%s%d" % (op, rng.choice([20, 100, 300, 1000, 3000]))])
        if r < 0.92:
            return ("word", rng.choice(self.words))
        rec = rng.choice(self.recs)
        ascii_run = []
        for w in rec.toks:
            if re.fullmatch(r"[a-z]+", w):
                ascii_run.append(w)
                if len(ascii_run) == 2:
                    break
            else:
                ascii_run = []
        if len(ascii_run) == 2:
            return ("phrase", ascii_run)
        return ("word", rng.choice(self.words))

    def node(self, depth=0):
        rng = self.rng
        r = rng.random()
        if depth >= 3 or r < 0.4:
            return self.term()
        if r < 0.55:
            return ("not", self.node(depth + 1))
        kids = [self.node(depth + 1) for _ in range(rng.randint(2, 3))]
        return ("and" if r < 0.8 else "or", kids)

def run(provex, args):
    cmd = [provex] + args
    if os.environ.get("PROVEX_VALGRIND"):
        cmd = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
               "--errors-for-leak-kinds=definite,indirect",
               "--show-leak-kinds=definite,indirect"] + cmd
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--provex", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--records", required=True)
    ap.add_argument("--filters", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=5, help="differences to print")
    a = ap.parse_args()
    try:
        with open(a.records, encoding="utf-8") as f:
            recs = [Rec(json.loads(l)) for l in f if l.strip()]
        # index skips records whose text is empty (it warns "empty text")
        recs = [r for r in recs if r.text != ""]
    except (OSError, ValueError) as e:
        print("filtereval: %s: %s" % (a.records, e), file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    random.seed(a.seed)
    gen = Gen(recs, rng)
    bad = 0
    nonzero = 0
    for i in range(a.filters):
        tree = gen.node()
        ftext = text(tree)
        p = run(a.provex, ["count", a.store] + (["--"] if ftext.startswith("--") else []) +
                [ftext])
        if p.returncode != 0:
            print("filtereval: provex count %r failed (%d): %s" % (
                ftext, p.returncode, p.stderr.decode(errors="replace").strip()[-300:]))
            bad += 1
            continue
        got = int(p.stdout.decode().strip())
        want = sum(1 for r in recs if ev(r, tree))
        if want:
            nonzero += 1
        if got != want:
            bad += 1
            if bad <= a.show:
                print("filtereval: %r: provex %d, records %d" % (ftext, got, want))
    print("filtereval: %d filters, %d differ, %d matched some documents" % (
        a.filters, bad, nonzero))
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
