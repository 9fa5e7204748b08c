#!/bin/sh
# shards.sh - provex index SET INPUT... --world-size N: a set's shards built
# rank by rank (the listing, the rank from the environment, document ids,
# publishing with a marker, reruns, resumes, --local).
. "${top_srcdir:-.}/tests/cli/lib.sh"

for tool in sqlite3 python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip "$tool is not installed"
		done_testing
		exit 0
	fi
done
# the rank comes from these unless --rank is given: none from outside
unset PROVEX_RANK SLURM_ARRAY_TASK_ID SLURM_PROCID SLURM_NTASKS \
	JOB_COMPLETION_INDEX PARALLEL_SEQ

# 7 small JSONL files in 2 folders (a text shared by two files)
cd "$T" || exit 1
mkdir -p in/a in/b/deep
for i in 1 2 3 4; do
	for j in 1 2 3; do
		printf '{"text":"file a%s record %s words here","origin":"real"}\n' $i $j
	done > in/a/f$i.jsonl
done
for i in 5 6; do
	for j in 1 2; do
		printf '{"text":"file b%s record %s","origin":"synthetic"}\n' $i $j
	done > in/b/g$i.jsonl
done
printf '{"text":"file a1 record 1 words here"}\n{"text":"deep one"}\n' \
	> in/b/deep/h7.jsonl

# the rows (id or -, ext_id, origin, text) of stores, sorted, via export
rows() {	# rows ids|- STORE...
	_mode=$1
	shift
	: > "$T/rows.tmp"
	for s in "$@"; do
		pv export "$s" -o "$T/rows.jsonl" --fields id,ext_id,origin,text \
			--keep-dups --force 2>/dev/null || echo "export failed: $s"
		cat "$T/rows.jsonl" >> "$T/rows.tmp"
	done
	python3 -c 'import json,sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in sorted(rows, key=lambda r: (r["ext_id"], r["text"])):
    print(r["id"] if sys.argv[2] == "ids" else "-", r["ext_id"], r["origin"], r["text"])' \
		"$T/rows.tmp" "$_mode" 2>/dev/null
}

# ---- a set of 3 shards built rank by rank
for r in 0 1 2; do
	pv index S in --world-size 3 --rank $r 2>"$T/err$r"
	ok $? "rank $r of 3: indexed and published"
done
like "$(cat "$T/err1")" "^provex index: rank 1 of 3 \(from --rank\): 2 of 7 files" \
	"the rank and its files are said"
is "$(ls S | tr '\n' ' ')" "shard-00000-of-00003.done shard-00000-of-00003.pvx shard-00001-of-00003.done shard-00001-of-00003.pvx shard-00002-of-00003.done shard-00002-of-00003.pvx " \
	"three shards and their markers; no .building, -wal or -shm left"
marker_check() {	# marker_check SET RANK WORLD FILES
	python3 - "$@" <<'EOF'
import json, os, re, sqlite3, sys
set_, rank, world, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
name = "%s/shard-%05d-of-%05d" % (set_, rank, world)
lines = open(name + ".done").read().splitlines()
assert len(lines) == 1, "one line"
m = json.loads(lines[0])
db = sqlite3.connect("file:%s.pvx?mode=ro" % name, uri=True)
q = lambda s: db.execute(s).fetchone()[0]
want = {"provex_shard": 1, "rank": rank, "world_size": world, "listing_files": 7,
        "files": files, "docs": q("select count(*) from docs"),
        "texts": q("select count(*) from texts"),
        "bytes": os.path.getsize(name + ".pvx")}
for k, v in want.items():
    assert m[k] == v, "%s: %r, not %r" % (k, m[k], v)
assert re.fullmatch("[0-9a-f]{32}", m["listing"]), m["listing"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["finished"]), m["finished"]
assert isinstance(m["host"], str)
meta = dict(db.execute("select key, value from meta where key like 'shard.%'"))
assert meta["shard.rank"] == str(rank) and meta["shard.world_size"] == str(world) \
    and meta["shard.listing"] == m["listing"], meta
print(m["listing"])
EOF
}
d0=$(marker_check S 0 3 3 2>&1); ok $? "rank 0's marker: every field right ($d0)"
d1=$(marker_check S 1 3 2 2>&1); ok $? "rank 1's marker ($d1)"
d2=$(marker_check S 2 3 2 2>&1); ok $? "rank 2's marker ($d2)"
[ "$d0" = "$d1" ] && [ "$d1" = "$d2" ]
ok $? "one listing digest in every marker"
sealed=ok
for f in S/*.pvx; do
	[ "$(sqlite3 "$f" 'PRAGMA journal_mode')" = delete ] || sealed="$f: not delete"
	[ "$(sqlite3 "$f" 'PRAGMA quick_check')" = ok ] || sealed="$f: quick_check"
done
is "$sealed" ok "every shard: journal mode delete, quick_check ok"

# ids: (listing position + 1) * 10^9 + rec + 1
python3 - S <<'EOF' > "$T/ids.out" 2>&1
import glob, sqlite3, sys
listing = sorted(p for p in glob.glob("in/**/*.jsonl", recursive=True))
bad = n = 0
for f in sorted(glob.glob(sys.argv[1] + "/*.pvx")):
    rank = int(f.split("shard-")[1][:5])
    db = sqlite3.connect("file:%s?mode=ro" % f, uri=True)
    for id_, rec, name in db.execute("select d.id, d.rec, i.name from docs d "
                                     "join inputs i on i.id = d.input_id"):
        p = listing.index(name)
        n += 1
        if id_ != (p + 1) * 10**9 + rec + 1 or p % 3 != rank:
            bad += 1
            print("bad", id_, rec, name)
print(n, bad)
EOF
is "$(tail -1 "$T/ids.out")" "18 0" "every id follows (position + 1) * 10^9 + rec + 1, in its rank's shard"

# the union of the shards is a 1-shard set, ids and all, and a plain store
pv index S1 in --world-size 1 -q --rank 0
ok $? "a set of one shard"
rows ids S/*.pvx > "$T/u3"
rows ids S1/*.pvx > "$T/u1"
is "$(wc -l < "$T/u3")" 18 "18 documents in the 3 shards"
cmp -s "$T/u1" "$T/u3"
ok $? "the 3 shards hold the 1-shard set's documents, with the same ids"
pv index plain.pvx in -q
rows - plain.pvx > "$T/up"
rows - S/*.pvx > "$T/u3n"
cmp -s "$T/up" "$T/u3n"
ok $? "and, but for ids, a plain store's"
is "$(sqlite3 plain.pvx 'SELECT min(id) || "-" || max(id) FROM docs')" 1-18 \
	"a plain store numbers 1, 2, 3... as before"

# ---- the rank from the environment
for v in PROVEX_RANK=1 SLURM_ARRAY_TASK_ID=1 SLURM_PROCID=1 \
	 JOB_COMPLETION_INDEX=1 PARALLEL_SEQ=2; do
	var=${v%%=*}
	env "$v" "$PROVEX" index "E-$var" in --world-size 3 >/dev/null 2>"$T/env.err"
	st=$?
	[ $st -eq 0 ] && [ -f "E-$var/shard-00001-of-00003.done" ] &&
		grep -q "rank 1 of 3 (from $var)" "$T/env.err"
	ok $? "$v: rank 1 ($st)"
done
env SLURM_ARRAY_TASK_ID=2 SLURM_PROCID=0 SLURM_NTASKS=1 "$PROVEX" index E-one in \
	--world-size 3 2>"$T/env.err" >/dev/null
like "$(cat "$T/env.err")" "rank 2 of 3 \(from SLURM_ARRAY_TASK_ID\)" \
	"an array task of one task each: SLURM_ARRAY_TASK_ID"

# ---- refused: bad ranks, standard input, --rank alone
refused() {	# refused WANT-STATUS PATTERN NAME -- ARGS...
	_want=$1 _pat=$2 _name=$3
	shift 4
	"$@" >/dev/null 2>"$T/ref.err"
	_st=$?
	like "$_st $(tr '\n' ' ' < "$T/ref.err")" "^$_want .*$_pat" "$_name"
}
refused 2 "outside 0..2" "--rank 3 of 3 refused" -- pv index R in --world-size 3 --rank 3
refused 2 "must be a number" "--rank x refused" -- pv index R in --world-size 3 --rank x
refused 2 "--world-size must be" "--world-size 0 refused" -- pv index R in --world-size 0 --rank 0
refused 2 "PROVEX_RANK is 'abc', not a rank" "PROVEX_RANK=abc refused" -- \
	env PROVEX_RANK=abc "$PROVEX" index R in --world-size 3
refused 2 "rank 3 \(from SLURM_ARRAY_TASK_ID\) is outside 0..2.*--array=0-2" \
	"an array numbered from 1: its last task refused, saying how to number it" -- \
	env SLURM_ARRAY_TASK_ID=3 "$PROVEX" index R in --world-size 3
refused 2 "PARALLEL_SEQ is 0" "PARALLEL_SEQ=0 refused" -- \
	env PARALLEL_SEQ=0 "$PROVEX" index R in --world-size 3
refused 2 "SLURM_ARRAY_TASK_ID and SLURM_PROCID are both set.*pass --rank" \
	"an array of several tasks each: ambiguous, refused" -- \
	env SLURM_ARRAY_TASK_ID=1 SLURM_PROCID=1 SLURM_NTASKS=2 "$PROVEX" index R in --world-size 4
refused 2 "needs this task's rank: pass --rank R" "no rank at all: refused" -- \
	pv index R in --world-size 3
refused 2 "standard input \(-\) cannot be part of a set" "standard input refused" -- \
	pv index R - --world-size 3 --rank 0
refused 2 "--rank needs --world-size" "--rank without --world-size refused" -- \
	pv index R.pvx in --rank 0
refused 2 "declared pairs are not yet supported across shards" "--pair-field refused" -- \
	pv index R in --world-size 3 --rank 0 --pair-field task
mkdir -p in2/sub && cp in/a/f1.jsonl in2/ && touch in2/sub/x.pvx
refused 2 "the set's folder is inside an INPUT" "a set inside an INPUT refused" -- \
	pv index in2/sub in2 --world-size 1 --rank 0
refused 2 "the set's folder is inside an INPUT" "also before it holds a file" -- \
	pv index in2/new in2/ --world-size 1 --rank 0
[ ! -e R ] && [ ! -e R.pvx ] && [ ! -e in2/new ]
ok $? "nothing made by refused commands"

# ---- a rerun of a complete rank does nothing
cp S/shard-00001-of-00003.done "$T/m1"
pv index S in --world-size 3 --rank 1 2>"$T/re.err"
ok $? "a complete rank again: status 0"
like "$(cat "$T/re.err")" "rank 1 of 3: already complete \(5 documents" "and says so"
cmp -s S/shard-00001-of-00003.done "$T/m1" &&
	[ "$(sqlite3 S/shard-00001-of-00003.pvx 'SELECT count(*) FROM runs')" = 1 ]
ok $? "nothing written: the marker and the shard as they were"

# ---- a shard moved into the set, stopped before its marker: completed
rm S/shard-00002-of-00003.done
pv index S in --world-size 3 --rank 2 -q
ok $? "a shard in the set without its marker: indexed again"
m2=$(marker_check S 2 3 2 2>&1)
ok $? "nothing added, sealed and published again with its marker ($m2)"

# ---- a changed listing, another world size: refused
printf '{"text":"late"}\n' > in/b/late.jsonl
refused 1 "made from another listing of files \(7 files then, 8 now\).*new set folder" \
	"a file added: the complete rank refuses" -- pv index S in --world-size 3 --rank 1
refused 1 "made from another listing of files \(7 files then, 8 now\)" \
	"a file added: a rank not yet built refuses too (another rank's marker)" -- \
	pv index E-PROVEX_RANK in --world-size 3 --rank 0
rm in/b/late.jsonl
refused 1 "is a shard of a set of 3 \(this run says --world-size 4\)" \
	"another world size refused" -- pv index S in --world-size 4 --rank 0

# ---- --inputs-from adds lines to the listing (the same set)
ls in/a/*.jsonl > list.txt
printf '\n' >> list.txt
pv index S in/b --inputs-from list.txt --world-size 3 --rank 2 2>"$T/if.err"
like "$?$(tr '\n' ' ' < "$T/if.err")" "^0.*already complete" \
	"--inputs-from: the same listing as the folder walked"

# ---- an interrupted rank resumes, then publishes
mkfifo fifo.jsonl
(printf '{"text":"piped one"}\n{"text":"piped two"}\n'; sleep 20) > fifo.jsonl &
w=$!
"$PROVEX" index I in fifo.jsonl --world-size 1 --rank 0 -q 2>"$T/int.err" &
p=$!
sleep 2
kill -TERM $p
wait $p
st=$?
kill $w 2>/dev/null
is "$st" 143 "a rank stopped by SIGTERM: status 143"
[ -f I/.building/shard-00000-of-00001.pvx ] && [ ! -e I/shard-00000-of-00001.pvx ] &&
	[ ! -e I/shard-00000-of-00001.done ]
ok $? "nothing published; the shard being built is kept"
is "$(sqlite3 I/.building/shard-00000-of-00001.pvx 'SELECT count(*) FROM docs')" 2 \
	"the documents read before are in it"
printf '{"text":"piped one"}\n{"text":"piped two"}\n{"text":"piped three"}\n' > fifo.jsonl &
pv index I in fifo.jsonl --world-size 1 --rank 0 -q
ok $? "the same command again completes it"
[ -f I/shard-00000-of-00001.done ] && [ ! -e I/.building ]
ok $? "and publishes it"
is "$(sqlite3 I/shard-00000-of-00001.pvx 'SELECT count(*) FROM docs; SELECT group_concat(id, " ") FROM docs WHERE id < 2000000000' | tr '\n' ' ')" \
	"21 1000000001 1000000002 1000000003 " "every document once, ids by listing position (the FIFO is first)"

# ---- a failed run publishes nothing
mkdir bad
printf '{"text":"good"}\n' > bad/ok.jsonl
python3 -c 'import gzip,sys; d=gzip.compress(b"{\"text\":\"cut\"}\n" * 50)
open(sys.argv[1], "wb").write(d[:len(d) // 2])' bad/cut.jsonl.gz
pv index F bad --world-size 1 --rank 0 2>"$T/f.err"
is "$?" 1 "an input that cannot be read to its end: status 1"
[ ! -e F/shard-00000-of-00001.done ] && [ ! -e F/shard-00000-of-00001.pvx ] &&
	[ -f F/.building/shard-00000-of-00001.pvx ]
ok $? "nothing published; the shard being built is kept"
like "$(cat "$T/f.err")" "not published: F/.building/shard-00000-of-00001.pvx" "and says so"

# ---- --index-meta: built in the shard before it is published
pv index M in --world-size 1 --rank 0 --index-meta origin -q
ok $? "--index-meta with --world-size"
is "$(sqlite3 M/shard-00000-of-00001.pvx "SELECT key FROM meta_index; PRAGMA journal_mode" 2>&1 | tr '\n' ' ')" \
	"origin delete " "the published shard has the index, sealed"

# ---- an empty rank publishes an empty shard
pv index Z in --world-size 9 --rank 8 2>"$T/z.err"
ok $? "rank 8 of 9 over 7 files: status 0"
z=$(marker_check Z 8 9 0 2>&1); ok $? "its marker: 0 files, 0 documents ($z)"
is "$(sqlite3 Z/shard-00008-of-00009.pvx 'PRAGMA journal_mode; SELECT count(*) FROM docs' | tr '\n' ' ')" \
	"delete 0 " "an empty but valid shard"

# ---- --local: built elsewhere, published into the set
pv index L in --world-size 2 --rank 0 --local loc 2>"$T/l.err"
ok $? "--local DIR: indexed and published"
like "$(cat "$T/l.err")" "provex index: loc/shard-00000-of-00002.pvx" "built under DIR"
[ -f L/shard-00000-of-00002.done ] && [ -z "$(ls -A loc)" ] && [ ! -e L/.building ]
ok $? "in the set with its marker; nothing left under DIR or .building"
pv index L in --world-size 2 --rank 1 --local loc --json > "$T/l.json" 2>/dev/null
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["rank"], d["world_size"], d["shard"], d["published"], d["added"])' "$T/l.json")" \
	"1 2 L/shard-00001-of-00002.pvx True 8" "--json: rank, world size, shard, published"
m=$(marker_check L 0 2 4 2>&1); ok $? "its marker ($m)"

done_testing
