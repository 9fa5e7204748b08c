#!/bin/sh
# Review state on sets (README, "Sets of stores"; store/set.h): label,
# history and undo on a set's folder write SET/review.pvx, never a shard,
# and every read command then sees the set's current values through the
# overlay.  One corpus as a plain store, as a set of one shard and as a
# set of three, the same label commands (several batches, a dry run, an
# undo) on each: count, ls, show, stats, info and history agree (the set
# of one is the oracle where ids matter); two reviewers labelling one
# set at once both succeed, on disjoint and on overlapping documents,
# with no lost update and a complete history; the shards' bytes never
# change.
. "$top_srcdir/tests/cli/lib.sh"

if ! "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	skip "this build's index has no --world-size"
	done_testing
	exit 0
fi
if ! command -v sha256sum >/dev/null 2>&1; then
	skip "sha256sum is needed to check that shards are never written"
	done_testing
	exit 0
fi

# the corpus: nine files of six records, texts repeated across files
mkdir "$T/c"
for f in 1 2 3 4 5 6 7 8 9; do
	for r in 1 2 3 4 5 6; do
		case $(( (f + r) % 3 )) in
		0) o=real; s=web/news; g="" ;;
		1) o=synthetic; s=gen; g=model-$(( r % 2 )) ;;
		*) o=unknown; s=""; g="" ;;
		esac
		if [ $r = 6 ]; then
			t="the same text in every file, hello world"
		else
			t="document $r of file $f: hello $(head -c $(( f * r )) /dev/zero | tr "\\0" x) world"
		fi
		printf '{"id":"f%s-r%s","text":"%s","origin":"%s","source":"%s","generator":"%s"}\n' \
			"$f" "$r" "$t" "$o" "$s" "$g"
	done > "$T/c/part-$f.jsonl"
done
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
OPTS="--id-field id --origin-field origin --source-field source --generator-field generator"

build_set() {	# build_set SET N
	mkdir -p "$1"
	_r=0
	while [ $_r -lt $2 ]; do
		pv index "$1" $FILES $OPTS --world-size $2 --rank $_r -q || return 1
		_r=$(( _r + 1 ))
	done
}
build_set "$T/set1" 1 && build_set "$T/set3" 3 && pv index "$T/plain.pvx" $FILES $OPTS -q
ok $? "the corpus as a plain store, a set of one shard and a set of three"
(cd "$T" && sha256sum set1/*.pvx set3/*.pvx) > "$T/sums"

# on WHAT ARGS...: provex ARGS with SET replaced by WHAT, WHAT's path by X
on() {
	_w=$1
	shift
	_k=$#
	while [ $_k -gt 0 ]; do
		_a=$1
		shift
		[ "$_a" = SET ] && _a=$T/$_w
		set -- "$@" "$_a"
		_k=$((_k - 1))
	done
	pv "$@" 2>&1 | sed "s|$T/$_w|X|g"
}
# all NAME ARGS...: the same output from set3 as from set1, and (ids
# taken out: the first column, "doc N", "id N") as from the plain store
noid() { sed -e 's/^[0-9][0-9]*\t//' -e 's/doc [0-9][0-9]*/doc N/g' \
	-e 's/"id":[0-9]*/"id":N/' -e 's/"doc":[0-9]*/"doc":N/' \
	-e 's/^id  *[0-9]*$/id N/' -e 's/[0-9-]*T[0-9:]*Z/TIME/g'; }
all() {
	_name=$1
	shift
	_1=$(on set1 "$@" | sed 's/[0-9-]*T[0-9:]*Z/TIME/g')
	_3=$(on set3 "$@" | sed 's/[0-9-]*T[0-9:]*Z/TIME/g')
	_p=$(on plain.pvx "$@" | noid)
	is "$_3" "$_1" "$_name: set of 3 as set of 1"
	is "$(printf '%s\n' "$_3" | noid)" "$_p" "$_name: as the plain store (ids aside)"
}

# ---- the same batches on the three ----
all "label: origin:real source:web/news, two fields" label SET \
	'origin:real source:web/news' --set label=keep --set origin=synthetic \
	--reviewer alice --note "first pass"
like "$(on set3 count SET)" '^54$' "the set still has its 54 documents"
[ -f "$T/set3/review.pvx" ]
ok $? "the set's review.pvx was made"
all "label on a label: label:keep" label SET 'label:keep' --set source=checked \
	--reviewer bob
all "label: generator:model-1 (another shard mix)" label SET 'generator:model-1' \
	--set label=drop --set purpose=eval --reviewer bob
all "label: a dry run" label SET 'hello' --set label=maybe --dry-run --reviewer bob
is "$(on set3 count SET label:maybe)" 0 "the dry run wrote nothing"
all "label: nothing to change" label SET 'label:drop' --set label=drop --reviewer bob
all "undo the last batch" undo SET --reviewer carol
all "label again after the undo" label SET 'origin:unknown file:*part-2*' \
	--set origin=real --set note=checked --reviewer dave

all "count label:keep" count SET label:keep
all "count label:drop (undone)" count SET label:drop
all "count origin:real" count SET origin:real
all "count origin:synthetic" count SET origin:synthetic
all "count source:checked" count SET source:checked
all "count hello origin:real (full text)" count SET 'hello origin:real'
all "ls origin:real" ls SET origin:real
all "ls --sort len-" ls SET --sort len-
all "ls --sort origin --limit 9" ls SET --sort origin --limit 9
all "ls label:keep --json" ls SET label:keep --json
all "stats --by label" stats SET --by label
all "stats --by origin" stats SET --by origin
all "stats --by source hello" stats SET --by source hello
all "history" history SET
all "history --json" history SET --json
is "$(on set3 count SET source:checked)" 18 "the relabelled documents are counted (18)"
is "$(on set3 count SET origin:real)" "$(on plain.pvx count SET origin:real)" \
	"origin:real after a relabel, as the plain store"

# info: the figures, not the paths and sizes
inf() { on "$1" info SET | grep -v -e '^set ' -e '^store ' -e '^shards ' -e '^file ' \
	-e '^inputs ' -e '^bytes '; }  # stored bytes: each shard compresses its own
is "$(inf set3)" "$(inf set1)" "info: set of 3 as set of 1"
is "$(inf set3)" "$(inf plain.pvx)" "info: as the plain store"

# show and history of one relabelled document, by its id in the sets
id=$(on set1 ls SET source:checked --limit 1 | cut -f1)
pid=$(on plain.pvx ls SET source:checked --limit 1 | cut -f1)
is "$(on set3 show SET $id)" "$(on set1 show SET $id)" "show a relabelled document: set of 3 as set of 1"
is "$(on set3 show SET $id | noid)" "$(on plain.pvx show SET $pid | noid)" \
	"show: as the plain store (ids aside)"
is "$(on set3 history SET $id | sed 's/[0-9-]*T[0-9:]*Z/TIME/g')" \
	"$(on set1 history SET $id | sed 's/[0-9-]*T[0-9:]*Z/TIME/g')" \
	"history of a document: set of 3 as set of 1"
is "$(on set3 history SET $id | noid | sed 's/ by run [0-9]*//')" \
	"$(on plain.pvx history SET $pid | noid | sed 's/ by run [0-9]*//')" \
	"history of a document: as the plain store (ids aside)"
like "$(on set3 history SET $id)" "^indexed .*origin=real" \
	"its provenance as indexed comes from its shard"
like "$(on set3 show SET 1)" "no document with id 1" "a set's ids are still checked"

# ---- two reviewers at once ----
build_set "$T/two" 3
(cd "$T" && sha256sum two/*.pvx) >> "$T/sums"
nsyn=$(on two count SET origin:synthetic)
nreal=$(on two count SET origin:real)
# disjoint: the synthetic documents and the others
on two label SET 'origin:synthetic' --set label=a --reviewer ann --yes > "$T/a.out" &
pa=$!
on two label SET 'origin:real OR origin:unknown' --set label=b --reviewer ben --yes > "$T/b.out" &
pb=$!
wait $pa; sa=$?
wait $pb; sb=$?
is "$sa $sb" "0 0" "two reviewers on disjoint documents at once: both succeed"
is "$(on two count SET label:a) $(on two count SET label:b)" "$nsyn $((54 - nsyn))" \
	"every document of both labelled"
is "$(on two history SET | wc -l | tr -d ' ')" 54 "the history has each change"
# overlapping: every hello document (all of them) and the real ones
on two label SET 'hello' --set purpose=train --reviewer ann --yes > "$T/a.out" &
pa=$!
on two label SET 'origin:real' --set source=seen --reviewer ben --yes > "$T/b.out" &
pb=$!
wait $pa; sa=$?
wait $pb; sb=$?
is "$sa $sb" "0 0" "two reviewers on overlapping documents at once: both succeed"
is "$(on two count SET purpose:train)" 54 "the first reviewer's change on every document"
is "$(on two count SET 'source:seen purpose:train')" "$nreal" \
	"the second's on the real ones, the first's kept there: no lost update"
is "$(on two count SET 'label:a OR label:b')" 54 "and the earlier batches' kept too"
is "$(on two history SET | grep -c 'purpose: (none) -> train')" 54 \
	"the history has the first reviewer's changes"
is "$(on two history SET | grep -c 'source: .* -> seen')" "$nreal" \
	"and the second's"
is "$(on two history SET | awk '{print $2}' | sort -u | tr '\n' ' ')" "1 2 3 4 " \
	"four batches, one per command, in one history"
b=$(on two history SET | grep 'source: .* -> seen' | awk '{print $2}' | head -1)
on two undo SET $b --reviewer cy > /dev/null
is "$(on two count SET source:seen)" 0 "undo of a set's batch reverts it"
is "$(on two count SET purpose:train)" 54 "and only it"

# reads while labels commit: each read sees one state of review.pvx
# (set_open opens the parts again when a label committed meanwhile)
(
	for v in 1 2 3 4 5 6 7 8; do
		pv label "$T/two" "file:*part-$v*" --set generator=g$v --reviewer eve \
			> /dev/null 2>&1
	done
) &
pl=$!
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	n=$(pv ls "$T/two" | wc -l | tr -d ' ')
	c=$(pv count "$T/two")
	[ "$n $c" = "54 54" ] || bad=$((bad + 1))
done
wait $pl
is "$bad" 0 "ls and count during labels: every document once, none twice"
is "$(on two count SET generator:g*)" 48 "and the labels all went in"

# ---- another set's review.pvx ----
mkdir "$T/other"
pv index "$T/other" "$T/c/part-1.jsonl" $OPTS --world-size 1 --rank 0 -q
cp "$T/set3/review.pvx" "$T/other/"
err=$(pv count "$T/other" 2>&1)
is $? 1 "a review.pvx beside the shards of another listing: refused"
like "$err" "another set's review state; move it out" "and says what to do"

# ---- the shards never change ----
(cd "$T" && sha256sum -c sums > /dev/null)
ok $? "every published shard's bytes are as they were"
is "$(ls "$T/set3" "$T/two" | grep -c -E '^shard-.*-(wal|shm|journal)$')" 0 \
	"no journal or write-ahead log beside a shard"
like "$(pv label "$T/set3/shard-00001-of-00003.pvx" '' --set label=x 2>&1)" \
	"label its set's folder" "a shard itself is still refused, and says how to label its set"

done_testing
