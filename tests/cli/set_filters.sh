#!/bin/sh
# Review state on a set of stores (README, "Sets of stores"): detect's
# scores, pairs and blind-review answers live in SET/review.pvx, and the
# filters score:, has:score, sim:, pair:, has:pair, is:disputed and
# --sort score read them there (count, ls, export).  The oracle is one plain store indexed
# from the same files, given the same scores (detect on each: the same
# run) and the same pairs (rows inserted with sqlite3, the ids mapped by
# the documents' input ids): every filter and sort gives the plain
# store's documents in its order (input ids compared, as the ids differ),
# before and after a relabel through the set's overlay.  provex review
# on the set (through tmux, as tui/review.sh drives it), with the same
# seed and answers as on the plain store, records the same answers about
# the same documents (pairs across shards), the same report, and
# is:disputed finds the same documents; a session stays open while
# another reviewer and a label write review.pvx.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
export LC_ALL=C.UTF-8
unset PROVEX_REVIEWER

if ! "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	skip "this build's index has no --world-size"
	done_testing
	exit 0
fi
if ! command -v sqlite3 > /dev/null 2>&1; then
	skip "the sqlite3 program is needed to write the pairs"
	done_testing
	exit 0
fi

# eight files of twelve documents: real and synthetic words leaning apart,
# a text every file holds (as real in some, synthetic in others), a text
# two files share, a whitespace-only document, some of unknown origin
mkdir "$T/c"
python3 - "$T/c" <<'PY'
import json, random, sys
random.seed(7)
human = "river stone winter letter morning kitchen garden market harbour".split()
machine = "leverage robust seamless delve furthermore crucial landscape pivotal".split()
common = "the of and to in is that it for on with as was at by this from".split()
for f in range(8):
    with open("%s/part-%d.jsonl" % (sys.argv[1], f), "w") as out:
        for r in range(12):
            o = ["real", "synthetic", "real", "synthetic", "unknown"][(f * 12 + r) % 5]
            if r == 0:
                text, o = "a paragraph every file holds", ["real", "synthetic"][f % 2]
            elif r == 1 and f in (2, 5):
                text = "a text two files share"
            elif r == 2 and f == 3:
                text = "  \n "
            else:
                lean = machine if o == "synthetic" else human
                n = random.randint(8, 40)
                text = " ".join(random.choice(lean) if random.random() < 0.3
                                else random.choice(common) for _ in range(n))
            out.write(json.dumps({"id": "f%d-r%d" % (f, r), "origin": o,
                                  "source": ["news", "forum"][(f + r) % 2],
                                  "generator": "gen-%d" % (r % 2) if o == "synthetic" else "",
                                  "text": text}) + "\n")
PY
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
OPTS="--id-field id --origin-field origin --source-field source --generator-field generator -q"
P=$T/plain.pvx
S=$T/set
pv index "$P" $FILES $OPTS
for r in 0 1 2; do
	pv index "$S" $FILES $OPTS --world-size 3 --rank $r
done
is "$(pv count "$S")" "$(pv count "$P")" "a set of three shards and the plain store of the same 96 documents"

# ---- no review.pvx yet: nothing scored, nothing paired ----
for f in 'has:score' 'score:>0' 'has:pair' 'sim:>0' 'is:disputed'; do
	is "$(pv count "$S" "$f")" 0 "count '$f' on a set with no review.pvx: 0"
done
[ ! -e "$S/review.pvx" ]
ok $? "and reading made no review.pvx"

# ---- the same scores and pairs ----
pv detect "$S" --model nb > /dev/null 2>&1
ok $? "detect on the set (its scores go to review.pvx)"
pv detect "$P" --model nb > /dev/null 2>&1
q='SELECT printf("%.17g", score) FROM scores ORDER BY doc_id'
is "$(sqlite3 "$S/review.pvx" "$q" | md5sum)" "$(sqlite3 "$P" "$q" | md5sum)" \
	"the set's scores are the plain store's, document for document"
# ext -> id maps of both; pairs given as input ids, written to both
for f in "$S"/shard-*.pvx; do
	sqlite3 -separator ' ' "$f" 'SELECT ext_id, id FROM docs'
done > "$T/set.map"
sqlite3 -separator ' ' "$P" 'SELECT ext_id, id FROM docs' > "$T/plain.map"
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
pairs = [("f0-r3", "f1-r4", "declared", None), ("f0-r3", "f4-r6", "found", 0.91),
         ("f1-r5", "f2-r7", "found", 0.42), ("f2-r8", "f5-r9", "found", 0.77),
         ("f3-r3", "f6-r4", "declared", None), ("f6-r5", "f7-r6", "found", 0.95),
         ("f0-r6", "f3-r6", "found", 0.65), ("f4-r8", "f7-r9", "declared", None)]
for name in ("set", "plain"):
    ids = dict(line.split() for line in open("%s/%s.map" % (t, name)))
    with open("%s/%s.sql" % (t, name), "w") as out:
        for a, b, kind, sim in pairs:
            x, y = sorted((int(ids[a]), int(ids[b])))
            out.write("INSERT INTO pairs(a, b, kind, sim) VALUES(%d, %d, '%s', %s);\n"
                      % (x, y, kind, "NULL" if sim is None else sim))
PY
sqlite3 "$S/review.pvx" < "$T/set.sql" && sqlite3 "$P" < "$T/plain.sql"
ok $? "the same eight pairs (across shards) in review.pvx and the plain store"
sid() { grep "^$1 " "$T/set.map" | cut -d' ' -f2; }
pid() { grep "^$1 " "$T/plain.map" | cut -d' ' -f2; }

# same WHAT SET-FILTER PLAIN-FILTER ARGS...: ls of the set and of the plain
# store (input ids onward: the ids differ) give the same lines
same() {
	_what=$1 _fs=$2 _fp=$3
	shift 3
	pv ls "$S" "$_fs" "$@" > "$T/same.out" 2>&1
	_st=$?
	cut -f2- "$T/same.out" > "$T/same.set"
	pv ls "$P" "$_fp" "$@" > "$T/same.out" 2>&1
	_st=$_st$?
	cut -f2- "$T/same.out" > "$T/same.plain"
	if [ "$_st" = 00 ] && cmp -s "$T/same.set" "$T/same.plain" && [ -s "$T/same.plain" ]; then
		ok 0 "ls $_what: the plain store's documents in its order ($(wc -l < "$T/same.plain"))"
	else
		ok 1 "ls $_what: the plain store's documents in its order"
		diff "$T/same.plain" "$T/same.set" | head -8 | sed 's/^/#   /'
	fi
}
check_all() {	# check_all TAG [quick]
	for f in 'has:score' 'score:>0.5' 'score:0.2..0.6 origin:real' '-has:pair' \
		 'sim:<0.5 has:pair' 'has:pair OR score:>0.9' 'label:keep score:>0'; do
		is "$(pv count "$S" "$f")" "$(pv count "$P" "$f")" "$1: count '$f': the plain store's"
	done
	same "$1 has:pair" 'has:pair' 'has:pair'
	same "$1 pair:ID (a pair across shards)" "pair:$(sid f0-r3)" "pair:$(pid f0-r3)"
	same "$1 --sort score" '' '' --sort score
	[ -n "${2:-}" ] && return
	for f in 'score:<0.3' '-has:score' 'sim:>0.6'; do
		is "$(pv count "$S" "$f")" "$(pv count "$P" "$f")" "$1: count '$f': the plain store's"
	done
	same "$1 sim:>0.6" 'sim:>0.6' 'sim:>0.6'
	same "$1 pair:ID,ID" "pair:$(sid f2-r8),$(sid f7-r6)" "pair:$(pid f2-r8),$(pid f7-r6)"
	same "$1 --sort score-" '' '' --sort score-
	same "$1 --sort score --limit 9" '' '' --sort score --limit 9
	same "$1 score:>0.4 --sort score-" 'score:>0.4' 'score:>0.4' --sort score-
	same "$1 has:pair --sort score" 'has:pair' 'has:pair' --sort score
}
check_all "scored and paired" quick
is "$(pv count "$S" 'pair:'"$(sid f0-r3)")" 2 "pair:ID on the set finds both partners, in two other shards"
like "$(pv ls "$S" --sort score- --limit 3 --json | head -1)" '"score":0\.[0-9]' \
	"ls --json on the set shows a document's score"

# export with such a filter: the same records (input ids and texts)
exported() {	# exported FILE: each record's ext_id and text
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["ext_id"], r["text"])' "$1"
}
pv export "$S" 'score:>0.5 OR has:pair' -o "$T/s.jsonl" > /dev/null 2>&1 &&
	pv export "$P" 'score:>0.5 OR has:pair' -o "$T/p.jsonl" > /dev/null 2>&1
ok $? "export 'score:>0.5 OR has:pair' from the set and the plain store"
is "$(exported "$T/s.jsonl")" "$(exported "$T/p.jsonl")" "the same records in the same order"
like "$(wc -l < "$T/s.jsonl")" '^[1-9][0-9]' "(some tens of them)"

# a relabel through the set's overlay (its minus and plus parts read the
# same review state)
pv label "$S" 'file:*part-1* OR file:*part-3*' --set label=keep --set origin=real --yes > /dev/null &&
	pv label "$P" 'file:*part-1* OR file:*part-3*' --set label=keep --set origin=real --yes > /dev/null
ok $? "the same relabel of two files on both"
check_all "after a relabel"

# ---- blind review on the set ----
# review PATH REVIEWER KEYS...: a pairs session with seed 11, keys typed
# one by one (each after the item number moves on)
review() {
	_p=$1 _r=$2
	shift 2
	tui_start 120 30 review "$_p" --reviewer "$_r" --seed 11
	tui_see 'item 1 of [0-9]+' "review $_r on $(basename "$_p"): the session opens"
	_i=1
	for _k in "$@"; do
		tui_keys "$_k"
		_i=$((_i + 1))
		tui_wait "item $_i of|session is complete" > /dev/null
	done
	tui_settle
	RSCREEN=$SCREEN
	tui_quit
}
n_items() { printf '%s\n' "$RSCREEN" | sed -n 's/.*item [0-9]* of \([0-9]*\).*/\1/p' | head -1; }
review "$P" alice 1 2 2 1 Space 1
NP=$(n_items)
review "$S" alice 1 2 2 1 Space 1
is "$(n_items)" "$NP" "the set's session has the plain store's number of items ($NP)"
# the answers as input ids, item by item
answers() {	# answers DB MAP
	sqlite3 -separator ' ' "$1" "SELECT reviewer, item, left_doc, coalesce(right_doc, 0), \
		truth, answer, coalesce(correct, '-') FROM review_answers ORDER BY id" |
	while read -r rv it l r tr an co; do
		printf '%s %s %s %s %s %s %s\n' "$rv" "$it" \
			"$(grep " $l\$" "$2" | cut -d' ' -f1)" "$(grep " $r\$" "$2" | cut -d' ' -f1)" \
			"$tr" "$an" "$co"
	done
}
A_P=$(answers "$P" "$T/plain.map")
A_S=$(answers "$S/review.pvx" "$T/set.map")
is "$(printf '%s\n' "$A_S" | wc -l)" 6 "six answers recorded in the set's review.pvx"
is "$A_S" "$A_P" "the same documents, sides, truths and answers as on the plain store"
ok "$([ "$(sqlite3 "$S/review.pvx" 'SELECT count(*) FROM review_answers WHERE (left_doc/1000000000-1)%3 <> (right_doc/1000000000-1)%3')" -gt 0 ] && echo 0 || echo 1)" \
	"some pairs shown hold documents of two shards"
[ -z "$(ls "$S"/*.pvx-wal 2>/dev/null | grep shard-)" ]
ok $? "no write-ahead log beside a shard: the shards were only read"

# a second reviewer disagreeing on some, and a label on the set while
# bob's session is open: nothing lost
tui_start 120 30 review "$S" --reviewer bob --seed 11
tui_see 'item 1 of [0-9]+' "bob's session on the set opens"
pv label "$S" 'file:*part-6*' --set label=seen --yes > /dev/null
ok $? "a label on the set while the session is open"
for k in 2 2 1 1; do
	tui_keys "$k"
	sleep 0.2
done
tui_see 'item 5 of' "bob answers four items"
tui_quit
pv label "$P" 'file:*part-6*' --set label=seen --yes > /dev/null
review "$P" bob 2 2 1 1
is "$(answers "$S/review.pvx" "$T/set.map")" "$(answers "$P" "$T/plain.map")" \
	"bob's answers too are the plain store's"
is "$(pv count "$S" label:seen)" 12 "and the label went in"
is "$(pv count "$S" is:disputed)" "$(pv count "$P" is:disputed)" "is:disputed: the plain store's count"
is "$(pv ls "$S" is:disputed | cut -f2-)" "$(pv ls "$P" is:disputed | cut -f2-)" \
	"is:disputed: the plain store's documents"
like "$(pv count "$S" is:disputed)" '^[1-9]' "some documents are disputed"
for a in "" "--by source" "--by generator --json" "--by reviewer --pairs"; do
	is "$(pv review "$S" --report $a)" "$(pv review "$P" --report $a)" \
		"review --report $a: the plain store's"
done
like "$(pv review "$S" --report)" "10 answers in 2 sessions by 2 reviewers" "the report counts both sessions"

# single mode too
tui_start 120 30 review "$S" --single --reviewer carol --seed 3
tui_see 'item 1 of [0-9]+' "a single-mode session on the set"
tui_keys r
tui_see 'item 2 of' "r answers"
tui_keys s
tui_see 'item 3 of' "s answers"
tui_quit
is "$(sqlite3 "$S/review.pvx" "SELECT count(*) FROM review_answers WHERE reviewer='carol'")" 2 \
	"its answers are in review.pvx"
like "$(pv review "$S" --report --single)" "single: real or synthetic" "the report has single mode"

# a filter that reads per store, and one with nothing to review
out=$(pv review "$S" 'dup:>1' 2>&1 < /dev/null)
is $? 2 "review SET 'dup:>1': refused"
like "$out" "dup: on a set of 3 shards: refused" "and says why"
out=$(pv review "$S" 'origin:real' 2>&1 < /dev/null)
is $? 1 "review SET with no synthetic document: exit 1"
like "$out" "no synthetic documents" "and says why"

done_testing
