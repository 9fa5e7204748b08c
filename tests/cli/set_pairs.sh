#!/bin/sh
# provex pairs on a set of stores and with --against (store/set_pairs.c):
# a set of one shard and a set of three find the very pairs one plain
# store indexed from the same files finds (compared by input id, with
# their similarities), --within and a lower threshold too, with a filter
# too; the shards are never written (read-only files); a second run
# reuses every shard's band files; small sorted chunks (the runs' merge)
# give the same pairs; truncated or stale files are made again;
# --rank/--world-size make the band files of one task's shards only;
# --against between two sets, a set and a store, and two stores against
# an oracle (the plain store of the union with --within, pairs of a SET
# and a REF document, plus the identical texts with words across them,
# sim 1); a
# re-run replaces; bad inputs refused with a message.
#
# The corpus is generated here: 12 files; originals with edited copies
# (few or many words changed) spread over other files, verbatim copies
# across files, documents of unknown origin, short texts and a text
# without words.
. "$top_srcdir/tests/cli/lib.sh"

if ! "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	skip "this build's index has no --world-size"
	done_testing
	exit 0
fi
for p in sqlite3 python3; do
	if ! command -v $p >/dev/null 2>&1; then
		skip "$p is needed"
		done_testing
		exit 0
	fi
done

mkdir "$T/c"
python3 - "$T/c" <<'PY'
import json, random, sys
random.seed(15)
def text(n=None): return " ".join("w%d" % random.randrange(6000) for _ in range(n or random.randrange(80, 200)))
def edit(s, k):
    w = s.split()
    for _ in range(k): w[random.randrange(len(w))] = "x%d" % random.randrange(99999)
    return " ".join(w)
bases = [text() for _ in range(25)]
for f in range(12):
    with open("%s/part-%02d.jsonl" % (sys.argv[1], f), "w") as out:
        for r in range(15):
            u = random.random()
            if u < 0.45: t = edit(random.choice(bases), random.choice([0, 1, 1, 2, 3, 12]))
            elif u < 0.5: t = random.choice(["hello world", "Hello, World!", "a b c", "... !!!"])
            else: t = text()
            o = random.choice(["real", "real", "synthetic", "synthetic", "unknown"])
            out.write(json.dumps({"id": "f%d-%d" % (f, r), "text": t, "origin": o}) + "\n")
PY
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
OPTS="--id-field id --origin-field origin -q"
mkset() {	# mkset DIR N FILES...: a set of N shards
	_d=$1 _w=$2
	shift 2
	_r=0
	while [ $_r -lt "$_w" ]; do
		pv index "$_d" "$@" $OPTS --world-size "$_w" --rank $_r || return 1
		_r=$((_r + 1))
	done
}
pv index "$T/plain.pvx" $FILES $OPTS && mkset "$T/one" 1 $FILES && mkset "$T/three" 3 $FILES
ok $? "the corpus as a plain store, a set of one shard and a set of three"
chmod a-w "$T"/one/shard-* "$T"/three/shard-*
sums() { sha256sum "$T"/one/shard-* "$T"/three/shard-*; }
BEFORE=$(sums)

# the found pairs of a store or a set as "ext ext sim" lines, sorted
cat > "$T/pairs.py" <<'PY'
import sqlite3, sys, glob, os
def docs(path):
    files = sorted(glob.glob(path + "/shard-*.pvx")) if os.path.isdir(path) else [path]
    m = {}
    for f in files:
        for i, e in sqlite3.connect("file:%s?mode=ro" % f, uri=True).execute("SELECT id, ext_id FROM docs"):
            m[i] = e
    return m
path = sys.argv[1]
m = docs(path)
db = path + "/review.pvx" if os.path.isdir(path) else path
rows = sqlite3.connect(db).execute("SELECT a, b, sim FROM pairs WHERE kind = 'found'")
for line in sorted("%s %s %.6f" % (min(m[a], m[b]), max(m[a], m[b]), s) for a, b, s in rows):
    print(line)
PY
found() { python3 "$T/pairs.py" "$1"; }

pv pairs "$T/plain.pvx" -q && pv pairs "$T/one" -q && pv pairs "$T/three" -q
ok $? "provex pairs on the plain store and on both sets"
WANT=$(found "$T/plain.pvx")
N=$(printf '%s\n' "$WANT" | grep -c .)
[ "$N" -ge 10 ]
ok $? "the plain store has near copies to find ($N pairs)"
is "$(found "$T/one")" "$WANT" "the set of one shard finds the plain store's pairs"
is "$(found "$T/three")" "$WANT" "the set of three shards finds the plain store's pairs"
is "$(sqlite3 "$T/three/review.pvx" "SELECT count(*) FROM pairs WHERE a >= b OR kind <> 'found'")" 0 \
	"a < b in every row"
like "$(printf '%s\n' "$WANT" | awk '$1 ~ /^f/ { split($1, x, "-"); split($2, y, "-"); if (x[1] != y[1]) n++ } END { print n + 0 }')" \
	'^[1-9]' "some pairs join documents of different files (shards)"

J=$(pv pairs "$T/three" --json)
like "$J" '"built":0,"reused":3,"rebuilt":0' "a second run reuses the three shards' band files"
like "$J" '"new_pairs":0,' "and adds no pair"
is "$(found "$T/three")" "$WANT" "the same pairs"

# --within and a lower threshold, and a filter
cp "$T/plain.pvx" "$T/w.pvx"
pv pairs "$T/w.pvx" --within --threshold 0.5 -q && pv pairs "$T/three" --within --threshold 0.5 -q
ok $? "--within --threshold 0.5 on both"
is "$(found "$T/three")" "$(found "$T/w.pvx")" "the same pairs (the earlier ones kept, as a store keeps them)"
cp "$T/plain.pvx" "$T/f.pvx"
sqlite3 "$T/f.pvx" "DELETE FROM pairs"
rm -f "$T/one/review.pvx"*
pv pairs "$T/f.pvx" 'len:>300' -q && pv pairs "$T/one" 'len:>300' -q
ok $? "a filter: len:>300"
is "$(found "$T/one")" "$(found "$T/f.pvx")" "the same pairs among the documents it selects"
[ "$(found "$T/one")" != "$WANT" ]
ok $? "which are fewer"

# small sorted chunks: runs merged into each band file
rm -rf "$T/three/bands" "$T/three/review.pvx"*
PROVEX_PAIRS_CHUNK=7 pv pairs "$T/three" -q
ok $? "band files made from chunks of 7 records"
ls "$T/three/bands/shard-00000-of-00003"/r*/ | grep -q run
is $? 1 "no run file left"
is "$(found "$T/three")" "$WANT" "the same pairs"

# damaged and stale files are made again
B=$T/three/bands
truncate -s -3 "$B"/shard-00001-of-00003/r*/band-002.bin
truncate -s 100 "$B"/shard-00002-of-00003/sig.bin
sed 's/^shard [0-9]*/shard 1/' "$B"/shard-00000-of-00003/sig.done > "$T/x" &&
	cp "$T/x" "$B"/shard-00000-of-00003/sig.done
like "$(pv pairs "$T/three" --json)" '"built":3,"reused":0,"rebuilt":3' \
	"a band file cut short, a signature file cut short, files of another shard file (stale): each shard's made again"
is "$(found "$T/three")" "$WANT" "the same pairs"

# --rank/--world-size: stage 1 of one task's shards
rm -rf "$B" "$T/three/review.pvx"*
J=$(pv pairs "$T/three" --rank 0 --world-size 2 --json)
like "$J" '"built":2,"reused":0' "rank 0 of 2 makes the files of shards 0 and 2"
like "$J" '"stage1_only":true' "and stops there"
[ ! -f "$T/three/review.pvx" ] || [ "$(sqlite3 "$T/three/review.pvx" "SELECT count(*) FROM pairs")" = 0 ]
ok $? "no pairs stored"
like "$(pv pairs "$T/three" --rank 1 --world-size 2 --json)" '"built":1,"reused":0' \
	"rank 1 of 2 makes shard 1's"
like "$(pv pairs "$T/three" --json)" '"built":0,"reused":3' "the run after them reuses all three"
is "$(found "$T/three")" "$WANT" "the same pairs"
is "$(sums)" "$BEFORE" "no shard file changed"

# ---- --against ----
A="$T/c/part-00.jsonl $T/c/part-01.jsonl $T/c/part-02.jsonl $T/c/part-03.jsonl \
$T/c/part-04.jsonl $T/c/part-05.jsonl $T/c/part-06.jsonl $T/c/part-07.jsonl"
R="$T/c/part-08.jsonl $T/c/part-09.jsonl $T/c/part-10.jsonl $T/c/part-11.jsonl"
mkset "$T/seta" 2 $A && mkset "$T/setb" 2 $R && pv index "$T/refb.pvx" $R $OPTS &&
	pv index "$T/storea.pvx" $A $OPTS
ok $? "SET (8 files, 2 shards), REF (4 files) as a set of 2 and as a store"
cp "$T/plain.pvx" "$T/u.pvx"
sqlite3 "$T/u.pvx" "DELETE FROM pairs"
pv pairs "$T/u.pvx" --within -q
ok $? "the oracle: the union as one store, --within"
cat > "$T/against.py" <<'PY'
import sqlite3, sys, glob, os
def docs(path):
    files = sorted(glob.glob(path + "/shard-*.pvx")) if os.path.isdir(path) else [path]
    m = {}
    for f in files:
        for i, e in sqlite3.connect("file:%s?mode=ro" % f, uri=True).execute("SELECT id, ext_id FROM docs"):
            m[i] = e
    return m
mode, union, s, r = sys.argv[1:5]
S, R = set(docs(s).values()), set(docs(r).values())
if mode == "want":
    um = docs(union)
    c = sqlite3.connect(union)
    out = set()
    for a, b, sim in c.execute("SELECT a, b, sim FROM pairs WHERE kind = 'found'"):
        x, y = um[a], um[b]
        if x in R: x, y = y, x
        if x in S and y in R: out.add((x, y, sim))
    # the same text (with words: its signature is more than a header)
    for a, b in c.execute("SELECT x.id, y.id FROM docs x JOIN docs y ON x.text_id = y.text_id "
                          "AND x.id <> y.id JOIN minhash m ON m.text_id = x.text_id "
                          "WHERE length(m.sig) > 8"):
        x, y = um[a], um[b]
        if x in S and y in R: out.add((x, y, 1.0))
else:
    sm, rm = docs(s), docs(r)
    db = s + "/review.pvx" if os.path.isdir(s) else s
    out = set((sm[d], rm[rd], sim) for d, rd, sim in sqlite3.connect(db).execute(
        "SELECT doc, ref_doc, sim FROM against_pairs WHERE ref = ?", (os.path.realpath(r),)))
for x in sorted("%s %s %.6f" % t for t in out): print(x)
PY
against() { python3 "$T/against.py" "$@"; }
pv pairs "$T/seta" --against "$T/setb" -q
ok $? "--against: a set against a set"
AW=$(against want "$T/u.pvx" "$T/seta" "$T/setb")
[ "$(printf '%s\n' "$AW" | grep -c .)" -ge 5 ]
ok $? "the oracle has cross pairs ($(printf '%s\n' "$AW" | grep -c .))"
is "$(against got "$T/u.pvx" "$T/seta" "$T/setb")" "$AW" "a set against a set: the oracle's pairs"
grep -q ' 1.000000$' <<EOF2
$AW
EOF2
ok $? "identical texts among them (sim 1)"
mkdir "$T/tmp"
TMPDIR=$T/tmp pv pairs "$T/seta" --against "$T/refb.pvx" -q
is "$(against got "$T/u.pvx" "$T/seta" "$T/refb.pvx")" "$AW" "a set against a store: the same"
TMPDIR=$T/tmp pv pairs "$T/storea.pvx" --against "$T/setb" -q
is "$(against got "$T/u.pvx" "$T/storea.pvx" "$T/setb")" "$AW" "a store against a set: the same (in the store's against_pairs)"
TMPDIR=$T/tmp pv pairs "$T/storea.pvx" --against "$T/refb.pvx" -q
is "$(against got "$T/u.pvx" "$T/storea.pvx" "$T/refb.pvx")" "$AW" "a store against a store: the same"
is "$(ls "$T/tmp")" "" "a store's band files went to a temporary folder, removed after"
N1=$(sqlite3 "$T/seta/review.pvx" "SELECT count(*) FROM against_pairs")
pv pairs "$T/seta" --against "$T/setb" -q
is "$(sqlite3 "$T/seta/review.pvx" "SELECT count(*) FROM against_pairs")" "$N1" \
	"a re-run replaces REF's rows (two REFs: both kept, none doubled)"
is "$(sqlite3 "$T/seta/review.pvx" "SELECT count(DISTINCT ref) FROM against_pairs")" 2 \
	"the rows name their REF"
[ -d "$T/seta/bands" ] && [ ! -d "$T/setb/bands" ]
ok $? "REF's band files are kept in SET's folder, not in REF's"

# ---- bad inputs ----
pv pairs "$T/seta" --against "$T/nowhere" 2> "$T/err"
is $? 1 "--against a missing REF: refused"
like "$(cat "$T/err")" 'nowhere: No such file' "naming it"
echo "not a store" > "$T/notes.txt"
pv pairs "$T/seta" --against "$T/notes.txt" 2> "$T/err"
is $? 1 "--against a file that is not a store: refused"
like "$(cat "$T/err")" 'not a provex store' "saying so"
mkdir "$T/empty"
pv pairs "$T/seta" --against "$T/empty" 2> "$T/err"
is $? 1 "--against a folder that is not a set: refused"
like "$(cat "$T/err")" 'not a set of stores' "saying so"
pv pairs "$T/seta" --against "$T/seta/" 2> "$T/err"
is $? 2 "--against the set itself: refused"
pv pairs "$T/seta" --against "$T/setb" --within 2> /dev/null
is $? 2 "--within with --against: refused"
pv pairs "$T/three" --report 2> "$T/err"
is $? 2 "--report on a set: refused"
like "$(cat "$T/err")" 'not supported' "saying so"
pv pairs "$T/three" --rank 0 2> /dev/null
is $? 2 "--rank without --world-size: refused"
pv pairs "$T/three" --rank 2 --world-size 2 2> /dev/null
is $? 2 "--rank not below --world-size: refused"
pv pairs "$T/plain.pvx" --rank 0 --world-size 2 2> /dev/null
is $? 2 "--rank on a store: refused"
pv pairs "$T/three" 'dup:>1' 2> "$T/err"
is $? 2 "a per-store filter (dup:) on three shards: refused"
printf 'junk' > "$B/shard-00000-of-00003/r7/band-000.bin"
pv pairs "$T/three" -q
ok $? "a band file replaced by junk of another size: made again"
is "$(found "$T/three")" "$WANT" "the same pairs"
is "$(sums)" "$BEFORE" "no shard file changed"
done_testing
