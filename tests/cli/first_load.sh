#!/bin/sh
# A first load finds repeated texts in memory (store/texthash.c) while the
# store's texts_hash index is dropped, and builds the index at its end; every
# way the texts can change under it keeps each text stored once and every
# document pointing at its own text: repeats within a batch and across
# batches, a run stopped before the index was built and then completed, a
# damaged .gz whose documents are rolled back while later files repeat their
# texts, a second run into the store, and a store made before the index had
# a name (texts.hash a UNIQUE column).
. "$top_srcdir/tests/cli/lib.sh"

command -v gzip >/dev/null || { skip "gzip not installed"; done_testing; exit $?; }

# gen N SEED KINDS: N records whose texts are drawn from KINDS distinct ones
gen() {
	python3 -c 'import sys, random
n, seed, kinds = map(int, sys.argv[1:4])
r = random.Random(seed)
for i in range(n):
    k = r.randrange(kinds)
    print("{\"text\": \"text number %d of the pool %s\"}" % (k, "word " * (k % 7)))' "$@"
}

# check STORE INPUT...: every document's text is its input line's, each
# distinct text is stored once, nocc counts its documents, and the index is
# there and sound; prints "docs texts" or what is wrong
check() {
	store=$1; shift
	"$PROVEX" export "$store" -o "$T/dump.jsonl" --force --keep-dups \
		--fields text,ext_id >/dev/null 2>"$T/exp.err" || { cat "$T/exp.err"; return; }
	python3 - "$store" "$T/dump.jsonl" "$@" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
want = {}
for f in sys.argv[3:]:
    for i, line in enumerate(open(f, encoding="utf-8")):
        want.setdefault(json.loads(line)["text"], 0)
bad = 0
n = 0
for line in open(sys.argv[2], encoding="utf-8"):
    d = json.loads(line); n += 1
    if d["text"] not in want:
        bad += 1
texts = db.execute("SELECT count(*), count(DISTINCT hash) FROM texts").fetchone()
nocc = db.execute("SELECT count(*) FROM texts t WHERE nocc <> "
                  "(SELECT count(*) FROM docs d WHERE d.text_id = t.id)").fetchone()[0]
orphans = db.execute("SELECT count(*) FROM docs WHERE text_id NOT IN "
                     "(SELECT id FROM texts)").fetchone()[0]
idx = db.execute("SELECT count(*) FROM pragma_index_list('texts') WHERE \"unique\"").fetchone()[0]
ic = db.execute("PRAGMA integrity_check").fetchone()[0]
probs = []
if bad: probs.append("%d texts not in the input" % bad)
if texts[0] != texts[1]: probs.append("%d texts stored more than once" % (texts[0] - texts[1]))
if nocc: probs.append("%d texts with a wrong nocc" % nocc)
if orphans: probs.append("%d documents without their text" % orphans)
if idx != 1: probs.append("%d unique indexes on texts" % idx)
if ic != "ok": probs.append("integrity: " + ic)
print(" ".join(probs) if probs else "%d %d" % (n, texts[0]))
PY
}

# ---- repeats within and across batches (a batch is 20,000 documents)
gen 45000 1 30000 > "$T/a.jsonl"
distinct=$(python3 -c 'import json,sys; print(len({json.loads(l)["text"] for l in open(sys.argv[1])}))' "$T/a.jsonl")
pv index -q "$T/s.pvx" "$T/a.jsonl"
is "$(check "$T/s.pvx" "$T/a.jsonl")" "45000 $distinct" \
	"a first load of 45,000 documents with repeats stores each of $distinct texts once"
is "$(sqlite3 "$T/s.pvx" "SELECT name FROM sqlite_master WHERE tbl_name='texts' AND type='index'")" \
	"texts_hash" "texts_hash is built at the end"

# ---- a second run: the index is there, repeats are found through it
gen 5000 2 40000 > "$T/b.jsonl"
pv index -q "$T/s.pvx" "$T/b.jsonl"
d2=$(cat "$T/a.jsonl" "$T/b.jsonl" | python3 -c 'import json,sys; print(len({json.loads(l)["text"] for l in sys.stdin}))')
is "$(check "$T/s.pvx" "$T/a.jsonl" "$T/b.jsonl")" "50000 $d2" \
	"a second run finds the earlier texts through the index"

# ---- stopped before the index was built, then completed: a FIFO gives
# the first 25,000 records and stays open; once they are written (all but
# what the pipe holds read) the run is stopped, and commits what it read
mkfifo "$T/fifo"
head -n 25000 "$T/a.jsonl" > "$T/a1.jsonl"
( cat "$T/a1.jsonl"; touch "$T/fed"; exec sleep 600 ) > "$T/fifo" &
feeder=$!
"$PROVEX" index -q --format jsonl "$T/c.pvx" "$T/fifo" 2>"$T/c.err" &
run=$!
i=0
while [ $i -lt 600 ] && [ ! -e "$T/fed" ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 1
kill -TERM $run 2>/dev/null
wait $run
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
like "$(cat "$T/c.err")" "interrupted" "a first load stopped mid-way says so"
is "$(sqlite3 "$T/c.pvx" "SELECT count(*) FROM sqlite_master WHERE tbl_name='texts' AND type='index'")" \
	"0" "a run stopped mid-way leaves texts_hash to be built"
committed=$(sqlite3 "$T/c.pvx" 'SELECT count(*) FROM docs')
[ "$committed" -ge 20000 ]; ok $? "... and keeps the $committed documents it committed"
like "$("$PROVEX" count "$T/c.pvx" 'text' 2>&1)" "^[0-9]+" \
	"the store is read as it is meanwhile"
pv index -q "$T/c.pvx" "$T/a.jsonl"
is "$(check "$T/c.pvx" "$T/a.jsonl" "$T/a1.jsonl")" "$((committed + 45000)) $distinct" \
	"the next run finds the texts stored before (read back into memory) and builds the index"

# ---- a damaged .gz rolled back while a later file repeats its texts: the
# ids the rollback took back must not be found again
gen 3000 3 3000 > "$T/g.jsonl"
gzip -c "$T/g.jsonl" > "$T/g.jsonl.gz"
size=$(wc -c < "$T/g.jsonl.gz")
python3 -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(len(d) - 6, len(d) - 2):
    d[i] ^= 0xa5
open(sys.argv[1], "wb").write(d)' "$T/g.jsonl.gz"
cp "$T/g.jsonl" "$T/h.jsonl"
mkdir "$T/in"; cp "$T/g.jsonl.gz" "$T/in/1.jsonl.gz"; cp "$T/h.jsonl" "$T/in/2.jsonl"
"$PROVEX" index -q "$T/d.pvx" "$T/in/1.jsonl.gz" "$T/in/2.jsonl" 2>"$T/d.err"
like "$(cat "$T/d.err")" "1.jsonl.gz" "the damaged .gz is reported ($size bytes)"
dg=$(python3 -c 'import json,sys; print(len({json.loads(l)["text"] for l in open(sys.argv[1])}))' "$T/g.jsonl")
is "$(check "$T/d.pvx" "$T/h.jsonl")" "3000 $dg" \
	"the later file's documents get texts of their own, none of the rolled-back ones"

# ---- a store made before texts_hash had a name: texts.hash is a UNIQUE
# column; it keeps that index, and runs into it find texts through it
cp "$T/s.pvx" "$T/old.pvx"
sqlite3 "$T/old.pvx" "PRAGMA foreign_keys=OFF; BEGIN;
DROP INDEX texts_hash;
CREATE TABLE texts_old(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,
  len INTEGER NOT NULL, words INTEGER NOT NULL, nocc INTEGER NOT NULL DEFAULT 1,
  dict_id INTEGER REFERENCES dicts(id), body BLOB NOT NULL);
INSERT INTO texts_old SELECT * FROM texts;
DROP TABLE texts; ALTER TABLE texts_old RENAME TO texts; COMMIT;"
gen 4000 4 60000 > "$T/e.jsonl"
pv index -q "$T/old.pvx" "$T/e.jsonl"
d3=$(cat "$T/a.jsonl" "$T/b.jsonl" "$T/e.jsonl" | python3 -c 'import json,sys; print(len({json.loads(l)["text"] for l in sys.stdin}))')
is "$(check "$T/old.pvx" "$T/a.jsonl" "$T/b.jsonl" "$T/e.jsonl")" "54000 $d3" \
	"a store made before: repeats found through its UNIQUE column"
is "$(sqlite3 "$T/old.pvx" "SELECT group_concat(name) FROM sqlite_master WHERE tbl_name='texts' AND type='index'")" \
	"sqlite_autoindex_texts_1" "... which stays its only index (no second one)"

done_testing
