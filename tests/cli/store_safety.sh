#!/bin/sh
# Interrupted and concurrent runs: the store stays whole and nothing is lost.
. "$top_srcdir/tests/cli/lib.sh"

python3 -c 'import random
r = random.Random(7)
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
for i in range(20000):
    n = r.randint(20, 200)
    print("{\"id\": \"d%d\", \"text\": \"%s\", \"origin\": \"%s\"}" % (i, " ".join(r.choice(words) for _ in range(n)), r.choice(["real", "synthetic"])))' > "$T/c.jsonl"
if [ -n "${PROVEX_VALGRIND:-}" ]; then
	head -n 3000 "$T/c.jsonl" > "$T/c2" && mv "$T/c2" "$T/c.jsonl"
fi
want=$(wc -l < "$T/c.jsonl")
check() {	# check STORE NAME: the store passes an integrity check
	is "$(sqlite3 "$1" 'PRAGMA integrity_check')" "ok" "$2: integrity_check ok"
	sqlite3 "$1" "INSERT INTO fts(fts) VALUES('integrity-check')" 2>"$T/fts_err"
	ok $? "$2: the full-text index passes FTS5's integrity check $(cat "$T/fts_err")"
}
complete() {	# complete STORE NAME: every text in the full-text index, every index there
	is "$(sqlite3 "$1" "SELECT count(*) FROM texts WHERE id NOT IN (SELECT rowid FROM fts
		WHERE fts MATCH 'alpha OR beta OR gamma OR delta OR epsilon OR zeta OR eta OR
		theta OR iota OR kappa OR lambda OR mu')")" 0 "$2: every text is in the full-text index"
	is "$(sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN
		('docs_ext','docs_origin_len','docs_source_len','docs_len')")" 4 \
		"$2: the indexes built at the end of a first load are there"
}

# ---- kill -9 at several moments, then the same command completes it
for delay in 0.05 0.3 0.8; do
	S=$T/k$delay.pvx
	"$PROVEX" index "$S" "$T/c.jsonl" --id-field id --origin-field origin -q &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -e "$S" ]; then
		check "$S" "killed after ${delay}s"
		pv info "$S" >/dev/null
		ok $? "killed after ${delay}s: the store opens"
	else
		skip "killed after ${delay}s before the store existed"
		skip "killed after ${delay}s before the store existed"
	fi
	pv index "$S" "$T/c.jsonl" --id-field id --origin-field origin -q
	ok $? "killed after ${delay}s: rerun succeeds"
	is "$(pv info "$S" --json | json_num documents)" "$want" "killed after ${delay}s: rerun completes the index"
	is "$(sqlite3 "$S" 'SELECT count(*) FROM (SELECT ext_id FROM docs GROUP BY ext_id HAVING count(*)>1)')" 0 \
		"killed after ${delay}s: no document twice"
	check "$S" "killed after ${delay}s, then rerun"
	complete "$S" "killed after ${delay}s, then rerun"
done

# ---- Ctrl-C: what was read is kept, status 130.  The input stalls after
# 2,000 records, so the signal surely arrives in the middle of the run.
S=$T/int.pvx
(head -n 2000 "$T/c.jsonl"; sleep 3; tail -n +2001 "$T/c.jsonl") |
	"$PROVEX" index "$S" - --id-field id 2>"$T/err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
is $? 130 "Ctrl-C: status 130"
like "$(cat "$T/err")" "Run the same command again" "Ctrl-C: says how to complete"
n=$(pv info "$S" --json | json_num documents)
ok $([ "$n" -ge 2000 ] && [ "$n" -lt "$want" ] && echo 0 || echo 1) \
	"Ctrl-C: the records read before it are kept ($n)"
check "$S" "after Ctrl-C"
pv index "$S" - --id-field id -q < "$T/c.jsonl"
is "$(pv info "$S" --json | json_num documents)" "$want" "after Ctrl-C, the same command completes the index"
complete "$S" "after Ctrl-C and a rerun"

# ---- two runs into the same store at once
S=$T/two.pvx
split -l $((want / 2)) --additional-suffix=.jsonl "$T/c.jsonl" "$T/part."
"$PROVEX" index "$S" "$T/part.aa.jsonl" --id-field id -q 2>"$T/e1" &
p1=$!
"$PROVEX" index "$S" "$T/part.ab.jsonl" --id-field id -q 2>"$T/e2" &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
is "$s1 $s2" "0 0" "two runs at once both succeed"
is "$(pv info "$S" --json | json_num documents)" "$want" "nothing is lost"
check "$S" "two writers"

# ---- any number of workers writes the same store: ids follow the input
for w in 1 3; do
	PROVEX_WORKERS=$w pv index "$T/w$w.pvx" "$T/c.jsonl" --id-field id --origin-field origin -q
	ok $? "PROVEX_WORKERS=$w: index"
	pv ls "$T/w$w.pvx" --json > "$T/w$w.ls"
	sqlite3 "$T/w$w.pvx" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row);
		SELECT term, doc FROM temp.v ORDER BY term;
		SELECT rowid FROM fts WHERE fts MATCH 'alpha AND mu' ORDER BY rowid" > "$T/w$w.fts"
done
ok $(cmp -s "$T/w1.ls" "$T/w3.ls" && echo 0 || echo 1) "1 and 3 workers: the same documents with the same ids"
ok $(cmp -s "$T/w1.fts" "$T/w3.fts" && echo 0 || echo 1) "1 and 3 workers: the same full-text index"
ok $([ "$(wc -l < "$T/w1.ls")" -eq "$want" ] && echo 0 || echo 1) "every document listed"

# ---- kill -9 at random points of a bulk label, then the same command:
# the store is the clean run's (documents, history, integrity)
dump() {	# dump STORE: documents and history, without times and batch ids
	sqlite3 "$1" "SELECT id, ext_id, text_id, origin, source, generator, purpose,
		label, note FROM docs ORDER BY id;
		SELECT doc_id, field, old, new, reviewer, note FROM history ORDER BY doc_id, field, id"
}
S0=$T/w1.pvx
lab() { "$PROVEX" label "$1" 'alpha AND beta' --set label=keep --set source=relabelled \
	--note 'bulk' --reviewer tester --yes >/dev/null 2>&1; }
cp "$S0" "$T/lclean.pvx"
lab "$T/lclean.pvx"
ok $? "a clean bulk label"
dump "$T/lclean.pvx" > "$T/lclean.dump"
ok $([ "$(grep -c relabelled "$T/lclean.dump")" -gt 100 ] && echo 0 || echo 1) "it relabels many documents"
: > "$T/problems"
# (provex without valgrind: under PROVEX_VALGRIND, whose pass repeats the
# sanitizer pass's runs natively, one moment each for label and export)
ldelays="0.02 0.15 0.4" edelays="0.01 0.1 0.3"
[ -n "${PROVEX_VALGRIND:-}" ] && ldelays=0.15 edelays=0.1
for delay in $ldelays; do
	S=$T/lk.pvx
	rm -f "$S"*
	cp "$S0" "$S"
	lab "$S" &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	lab "$S" || echo "label killed after ${delay}s: the rerun failed" >> "$T/problems"
	dump "$S" > "$T/lk.dump"
	cmp -s "$T/lk.dump" "$T/lclean.dump" ||
		echo "label killed after ${delay}s, rerun: not the clean run's store" >> "$T/problems"
	r=$(sqlite3 "$S" "PRAGMA integrity_check; INSERT INTO fts(fts) VALUES('integrity-check')" 2>&1)
	[ "$r" = ok ] || echo "label killed after ${delay}s: $r" >> "$T/problems"
done
is "$(head -5 "$T/problems")" "" "label killed -9 at $(echo $ldelays | wc -w) moment(s), then rerun: the clean run's documents and history, integrity and FTS5 checks pass"

# ---- kill -9 at random points of an export: the target is absent or
# complete, never partial; the rerun writes the clean run's file; the
# store is untouched
"$PROVEX" export "$S0" -o "$T/clean.jsonl" >/dev/null 2>&1
ok $? "a clean export"
dump "$S0" > "$T/s0.dump"
: > "$T/problems"
for delay in $edelays; do
	rm -f "$T/ek.jsonl" "$T/ek.jsonl.manifest.json"
	"$PROVEX" export "$S0" -o "$T/ek.jsonl" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -e "$T/ek.jsonl" ] && ! cmp -s "$T/ek.jsonl" "$T/clean.jsonl"; then
		echo "export killed after ${delay}s: a partial file at the target" >> "$T/problems"
	fi
	"$PROVEX" export "$S0" -o "$T/ek.jsonl" --force >/dev/null 2>&1 ||
		echo "export killed after ${delay}s: the rerun failed" >> "$T/problems"
	cmp -s "$T/ek.jsonl" "$T/clean.jsonl" ||
		echo "export killed after ${delay}s: the rerun's file differs" >> "$T/problems"
done
dump "$S0" > "$T/s0b.dump"
cmp -s "$T/s0.dump" "$T/s0b.dump" || echo "the exports changed the store" >> "$T/problems"
is "$(head -5 "$T/problems")" "" "export killed -9 at $(echo $edelays | wc -w) moment(s): the target absent or complete, the rerun the clean run's"

# ---- a full disk (a file size limit: SIGXFSZ ignored, writes fail with
# EFBIG): the summary counts only what was committed, reads still work
PY=$(python3 -c 'import sys; print(sys.executable)')
printf '%s\n' 'import os, resource, signal, sys' 'n = int(sys.argv[1])' \
	'resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))' \
	'signal.signal(signal.SIGXFSZ, signal.SIG_IGN)' 'os.execvp(sys.argv[2], sys.argv[2:])' > "$T/limit.py"
if [ -z "${PROVEX_VALGRIND:-}" ]; then
	python3 -c 'import random
r = random.Random(3)
w = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
for i in range(40000): print("{\"text\": \"%d %s\"}" % (i, " ".join(r.choice(w) for _ in range(30))))' > "$T/full.jsonl"
	# 20,000 documents (the first batch) make a store of about 9 MB
	"$PY" "$T/limit.py" 11000000 "$PROVEX" index "$T/full.pvx" "$T/full.jsonl" --json \
		>"$T/full.json" 2>"$T/full.err"
	is $? 1 "a full disk: status 1"
	like "$(cat "$T/full.err")" "full.pvx: committing" "a full disk: the failure is reported"
	n=$("$PROVEX" info "$T/full.pvx" --json | json_num documents)
	ok $([ "$n" -gt 0 ] && [ "$n" -lt 40000 ] && echo 0 || echo 1) "a full disk: the batches before it are kept ($n)"
	is "$(json_num added < "$T/full.json")" "$n" "a full disk: the summary's added is what the store holds"
	is "$(json_num not_committed < "$T/full.json")" "$((40000 - n))" "a full disk: and it counts what was lost"
	for c in "history" "info" "ls --limit 3" "count alpha" "stats"; do
		set -- $c
		cmd=$1
		shift
		"$PY" "$T/limit.py" 0 "$PROVEX" $cmd "$T/full.pvx" "$@" >/dev/null 2>"$T/r.err"
		ok $? "on a full disk, $c works $(head -c 200 "$T/r.err")"
	done
	"$PROVEX" index "$T/full.pvx" "$T/full.jsonl" -q
	is "$("$PROVEX" info "$T/full.pvx" --json | json_num documents)" 40000 "once there is room, the same command completes it"
else
	skip "full disk: runs without valgrind"
fi

done_testing
