#!/bin/sh
# label, history and undo: relabelling by filter, the audit history, undo
# (after a restart, with conflicts, --force), the confirmation of large
# changes, bad values, and two processes relabelling the same store at once.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx
export XDG_CONFIG_HOME="$T/cfg"
unset PROVEX_REVIEWER
login=${USER:-${LOGNAME:-$(id -un)}}

for i in 1 2 3 4 5 6; do
	printf '{"id":"e%d","text":"document %d says hello world","origin":"real","source":"web"}\n' $i $i
done > "$T/in.jsonl"
pv index "$S" "$T/in.jsonl" --id-field id --origin-field origin --source-field source -q
ok $? "index"

# label by filter
out=$(pv label "$S" 'id:1..3' --set origin=synthetic --set label=drop \
	--note 'reads generated' --reviewer ann)
ok $? "label exits 0"
is "$out" "relabelled 3 documents (origin: 3 changes, label: 3 changes), batch 1; undo with: provex undo $S 1" \
	"label says what changed and how to undo it"
is "$(sqlite3 "$S" "SELECT count(*) FROM docs WHERE origin='synthetic' AND label='drop'")" 3 \
	"the documents changed"
out=$(pv label "$S" '"HELLO world" document' --set purpose=test --reviewer ann --dry-run)
like "$out" "would relabel 6 documents \(purpose: 6 changes\); dry run" "--dry-run says what would change"
is "$(sqlite3 "$S" "SELECT count(*) FROM docs WHERE purpose IS NOT NULL")" 0 "--dry-run changes nothing"
is "$(sqlite3 "$S" "SELECT count(*) FROM batches")" 1 "--dry-run records no batch"

# the reviewer from the configuration file, and a broken one ignored
mkdir -p "$T/cfg/provex"
printf 'theme: dark\nreviewer: carol\n' > "$T/cfg/provex/config.yaml"
pv label "$S" 'id:2' --set origin=unknown > /dev/null
is "$(sqlite3 "$S" "SELECT reviewer FROM batches WHERE id=2")" carol "reviewer from config.yaml"
printf 'reviewer: [carol\n' > "$T/cfg/provex/config.yaml"
err=$(pv label "$S" 'id:6' --set note=x 2>&1 >/dev/null)
like "$err" "config.yaml:[0-9]+:[0-9]+: .*ignored" "a broken configuration file is reported with line and column"
is "$(sqlite3 "$S" "SELECT reviewer FROM batches WHERE id=3")" "$login" "and the login name is used"
rm -f "$T/cfg/provex/config.yaml"

# history: index-time provenance first, then the changes
h=$(pv history "$S" 2)
like "$(printf '%s\n' "$h" | sed -n 1p)" "^indexed [0-9T:Z-]+ by run 1: doc 2 origin=real, source=web$" \
	"history ID starts with the provenance as indexed"
like "$(printf '%s\n' "$h" | sed -n 2p)" "^batch 1  .*  ann  doc 2  origin: real -> synthetic  # reads generated$" \
	"then the changes, with old -> new and the note"
like "$(printf '%s\n' "$h" | sed -n 4p)" "^batch 2  .*  carol  doc 2  origin: synthetic -> unknown$" "in order"
is "$(pv history "$S" | wc -l)" 8 "history without ID lists every change"
is "$(pv history "$S" 2 --json | python3 -c 'import json,sys
r=[json.loads(l) for l in sys.stdin]
print(r[0]["event"], r[0]["origin"], r[1]["old"], r[1]["new"], r[1]["reviewer"])')" \
	"indexed real real synthetic ann" "history --json"
pv label "$S" 'id:4' --set "source=evil$(printf '\033')[2Jx" 2>/dev/null
is $? 2 "an escape sequence in a value is refused (status 2)"
err=$(pv label "$S" 'id:4' --set "note=a$(printf '\001')b" 2>&1)
like "$err" "control character .* position 2" "the error names the position"
big=$(python3 -c 'print("x" * 10240)')
err=$(pv label "$S" 'id:4' --set "note=$big" 2>&1)
like "$err" "10240 bytes long; at most 4096" "a 10 KB value is refused"
err=$(pv label "$S" 'id:4' --set origin=fake 2>&1)
like "$err" "origin must be real, synthetic or unknown" "a bad origin is refused"
err=$(pv label "$S" 'id:(4' --set label=x 2>&1)
is $? 2 "a bad filter: status 2"
like "$err" "\^" "with a caret under the position"
is "$(sqlite3 "$S" "SELECT count(*) FROM history WHERE doc_id=4")" 0 "nothing written by refused commands"

# history with control characters stored by hand is made safe
sqlite3 "$S" "INSERT INTO batches VALUES(99,'t','x'||char(27)||'[2J','c',NULL,NULL);
	INSERT INTO history VALUES(NULL,99,5,'note',NULL,'a'||char(27)||']0;t'||char(7),'r'||char(27),'t',NULL)"
h=$(pv history "$S" 5)
ok $(printf '%s' "$h" | od -An -c | grep -q '033' && echo 1 || echo 0) "history: no ESC byte reaches the terminal"
like "$h" 'a\^\[\]0;t\^G' "shown as ^[ and ^G"
sqlite3 "$S" "DELETE FROM history WHERE batch_id=99; DELETE FROM batches WHERE id=99"

# undo: the last batch (3: doc 6's note), after a restart (a new process)
out=$(pv undo "$S" --reviewer dan)
ok $? "undo exits 0"
like "$out" "^undid batch 3 as batch 4: 1 document \(note: 1 change\)$" "undo reverts the last batch"
is "$(sqlite3 "$S" "SELECT coalesce(note,'-') FROM docs WHERE id=6")" - "the note is gone"
# undo batch 1: doc 2 changed again in batch 2: a conflict
out=$(pv undo "$S" 1 --reviewer dan 2>"$T/err")
is $? 1 "undo with a conflict: status 1"
like "$(cat "$T/err")" "1 document changed again after batch 1 and was left alone: 2; .*--force" \
	"the conflicting document is reported"
is "$(sqlite3 "$S" "SELECT group_concat(origin||':'||coalesce(label,'-')) FROM docs WHERE id<=3")" \
	"real:-,unknown:drop,real:-" "the others reverted, the conflicting one left alone"
out=$(pv undo "$S" 1 --force --reviewer dan 2>&1)
ok $? "undo --force"
is "$(sqlite3 "$S" "SELECT origin||':'||coalesce(label,'-') FROM docs WHERE id=2")" "real:-" \
	"--force reverts it too"
pv undo "$S" 1 --reviewer dan 2>/dev/null
is $? 1 "a batch undone already is refused"
is "$(sqlite3 "$S" "SELECT count(*) FROM batches WHERE undoes=1")" 2 "undo batches are recorded"
is "$(sqlite3 "$S" "PRAGMA integrity_check")" ok "integrity check"

# more than 1,000 documents needs --yes (or a terminal)
python3 -c '
for i in range(1, 1002):
    print("{\"text\": \"doc %d\", \"origin\": \"real\"}" % i)' > "$T/big.jsonl"
B=$T/b.pvx
pv index "$B" "$T/big.jsonl" --origin-field origin -q
err=$(pv label "$B" '' --set label=keep < /dev/null 2>&1)
is $? 1 "1,001 documents without --yes and without a terminal: refused"
like "$err" "1,001 documents match .*add --yes" "and told to add --yes"
is "$(sqlite3 "$B" "SELECT count(*) FROM docs WHERE label IS NOT NULL")" 0 "nothing changed"
out=$(pv label "$B" '' --set label=keep --yes < /dev/null)
like "$out" "relabelled 1,001 documents" "--yes relabels them"
pv undo "$B" > /dev/null
ok $? "undo of 1,001 changes"
is "$(sqlite3 "$B" "SELECT count(*) FROM docs WHERE label IS NOT NULL")" 0 "all reverted"

# two processes relabelling the same store at once lose nothing
# 150 commands each interleave hundreds of times; more only costs time under
# the sanitizers (about 0.1 s a run) and valgrind (about 2 s a run)
N=150
[ -n "${PROVEX_VALGRIND:-}" ] && N=20
writer() {	# writer FIELD PREFIX
	i=1
	while [ $i -le $N ]; do
		pv label "$B" "id:$i" --set "$1=$2$i" --reviewer "$2" > /dev/null || echo "fail $i" >> "$T/fail.$2"
		i=$((i + 1))
	done
}
writer source wa &
pa=$!
writer purpose wb &
pb=$!
wait $pa
wait $pb
ok $([ ! -s "$T/fail.wa" ] && [ ! -s "$T/fail.wb" ] && echo 0 || echo 1) "every label command of both writers succeeded"
is "$(sqlite3 "$B" "SELECT count(*) FROM history WHERE field IN ('source','purpose')")" $((2 * N)) \
	"all $((2 * N)) changes are in the history"
is "$(sqlite3 "$B" "SELECT count(*) FROM docs WHERE source='wa'||id AND purpose='wb'||id")" $N \
	"and in the documents"
is "$(sqlite3 "$B" "SELECT count(DISTINCT batch_id) FROM history WHERE field IN ('source','purpose')")" $((2 * N)) \
	"one batch per command"

# the reviewer's name (common/reviewer.h): --reviewer, then PROVEX_REVIEWER,
# then reviewer: in the settings file, then $USER, then $LOGNAME; a bad
# one is refused, naming where it came from
R=$T/r.pvx
pv index "$R" "$T/in.jsonl" --id-field id --origin-field origin -q
printf 'reviewer: carol\n' > "$T/cfg/provex/config.yaml"
last_reviewer() {	# the reviewer of the last change in provex history
	pv history "$R" 1 | tail -n 1 | sed -n 's/^batch [0-9]*  [^ ]*  \(.*\)  doc 1  .*/\1/p'
}
PROVEX_REVIEWER=pat pv label "$R" id:1 --set label=a > /dev/null
is "$(last_reviewer)" pat "PROVEX_REVIEWER before the settings file, in provex history"
PROVEX_REVIEWER=pat pv label "$R" id:1 --set label=b --reviewer quinn > /dev/null
is "$(last_reviewer)" quinn "--reviewer before PROVEX_REVIEWER"
PROVEX_REVIEWER= pv label "$R" id:1 --set label=c > /dev/null
is "$(last_reviewer)" carol "an empty PROVEX_REVIEWER is unset: the settings file's reviewer"
rm -f "$T/cfg/provex/config.yaml"
USER=alice LOGNAME=bob pv label "$R" id:1 --set label=d > /dev/null
is "$(last_reviewer)" alice "then \$USER (before the password database's name)"
USER= LOGNAME=bob pv label "$R" id:1 --set label=e > /dev/null
is "$(last_reviewer)" bob "then \$LOGNAME"
is "$(pv history "$R" 1 --json | tail -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["reviewer"])')" \
	bob "history --json names the reviewer too"
nb=$(sqlite3 "$R" "SELECT count(*) FROM batches")
err=$(PROVEX_REVIEWER="$(printf 'eve\342\200\256liam')" pv label "$R" id:1 --set label=f 2>&1 >/dev/null)
is $? 2 "a reviewer name with U+202E is refused (status 2)"
like "$err" 'the reviewer name from PROVEX_REVIEWER "eve<U\+202E>liam" holds a bidi control \(U\+202E\)' \
	"the message names PROVEX_REVIEWER and the character"
err=$(pv label "$R" id:1 --set label=f --reviewer "$(printf 'a\342\201\246b')" 2>&1 >/dev/null)
is $? 2 "U+2066 in --reviewer is refused"
like "$err" 'the reviewer name from --reviewer .*U\+2066' "the message names --reviewer"
err=$(pv label "$R" id:1 --set label=f --reviewer "$(printf 'a\342\200\250b')" 2>&1 >/dev/null)
like "$err" 'from --reviewer .*line separator \(U\+2028\)' "U+2028 is refused"
err=$(pv undo "$R" --reviewer '' 2>&1 >/dev/null)
is "$?:$err" "2:provex: the reviewer name from --reviewer is empty" "an empty --reviewer is refused by undo"
err=$(USER="$(printf 'al\tice')" pv label "$R" id:1 --set label=f 2>&1 >/dev/null)
like "$err" 'the reviewer name from \$USER "al\^Iice" holds a control character' "a bad \$USER is named"
big=$(python3 -c 'print("r" * 4097)')
err=$(pv label "$R" id:1 --set label=f --reviewer "$big" 2>&1 >/dev/null)
like "$err" 'is 4097 bytes long; at most 4096' "a name over 4096 bytes is refused"
is "$(sqlite3 "$R" "SELECT count(*) FROM batches")" "$nb" "refused names record nothing"

done_testing
