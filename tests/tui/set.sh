#!/bin/sh
# The interface on a set of stores (a folder of shards), through tmux: the
# same corpus as a plain store, a set of one shard and a set of three lists
# the same documents in the same order (ids: the set of one; the rest: the
# plain store), page down, end and home, a filter typed at the prompt, a
# sort change, a document's text; a per-store filter refused with its
# reason; relabel keys, the history and undo through the set's review
# overlay (SET/review.pvx), and no shard file changes; detect's scores in
# SET/review.pvx read by a score: filter and the score sort, as the
# plain store of the same files reads its own.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"

if ! "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	echo "1..0 # SKIP this build's index has no --world-size"
	exit 0
fi

# nine files of six documents: origins and sources varied, lengths too
mkdir "$T/c"
for f in 1 2 3 4 5 6 7 8 9; do
	for r in 1 2 3 4 5 6; do
		case $(( (f + r) % 3 )) in
		0) o=real; s=web/news ;;
		1) o=synthetic; s=gen-$(( r % 2 )) ;;
		*) o=unknown; s=forum ;;
		esac
		printf '{"id":"f%s-r%s","text":"doc f%s r%s %s: the story of file %s","origin":"%s","source":"%s"}\n' \
			"$f" "$r" "$f" "$r" "$(head -c $(( (f * 7 + r * 5) % 23 )) /dev/zero | tr '\0' x)" \
			"$f" "$o" "$s"
	done > "$T/c/part-$f.jsonl"
done
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
OPTS="--id-field id --origin-field origin --source-field source -q"
S=$T/plain.pvx
pv index "$S" $FILES $OPTS
ok $? "the corpus as a plain store"
mkset() {	# mkset DIR N
	mkdir -p "$1"
	_r=0
	while [ $_r -lt "$2" ]; do
		pv index "$1" $FILES $OPTS --world-size "$2" --rank $_r || return 1
		_r=$((_r + 1))
	done
}
mkset "$T/one" 1 && mkset "$T/three" 3
ok $? "and as sets of one and of three shards"
sums() { sha256sum "$T"/three/shard-* "$T"/one/shard-*; }
BEFORE=$(sums)

# no id column: the plain store's ids are 1, 2, 3..., a set's are not
mkdir -p "$T/cfg/provex"
printf 'columns: [origin, source, size, text]\n' > "$T/cfg/provex/config.yaml"

# screen NAME: the rows above the status line, kept in $T/NAME
screen() {
	tui_settle
	printf '%s\n' "$SCREEN" | sed '$d' > "$T/$1"
}

# walk PATH TAG: the first screen, a page down, the end, home; the sort
# by source; a filter typed at the prompt; each screen kept as TAG-...
walk() {
	tui_start 90 14 browse "$1"
	tui_see ' 1/54 *$' "$2: the list opens on 54 documents"
	screen "$2-first"
	tui_keys PageDown
	tui_see ' 12/54 *$' "$2: page down"
	screen "$2-pgdn"
	tui_keys G
	tui_see ' 54/54 *$' "$2: the end"
	screen "$2-end"
	tui_keys g
	tui_see ' 1/54 *$' "$2: home"
	screen "$2-home"
	tui_keys o O
	tui_see 'sorted by len, descending' "$2: a sort change (by length, descending)"
	screen "$2-sort"
	tui_keys PageDown
	tui_see ' 12/54 *$' "$2: page down in that order"
	screen "$2-sortpgdn"
	tui_keys O
	tui_keys /
	tui_type 'origin:real f3'
	tui_keys Enter
	tui_see ' 1/[0-9]+ *$' "$2: a filter typed at the prompt"
	screen "$2-filter"
	tui_keys Enter
	tui_see 'doc f3 r' "$2: Enter opens the document with its text"
	screen "$2-doc"
	tui_quit
}

walk "$S" plain
walk "$T/three" three
for v in first pgdn end home sort sortpgdn filter; do
	if cmp -s "$T/plain-$v" "$T/three-$v"; then
		ok 0 "plain store and set of three: the same $v screen"
	else
		ok 1 "plain store and set of three: the same $v screen"
		diff "$T/plain-$v" "$T/three-$v" | sed 's/^/#   /'
	fi
done
grep -q 'doc f3 r' "$T/three-doc" && ! grep -q 'doc f[^3] r' "$T/three-doc"
ok $? "the set's document view shows the document's own text"

# ids: a set of one and a set of three give every document the same id
rm "$T/cfg/provex/config.yaml"
for d in one three; do
	tui_start 90 14 browse "$T/$d"
	tui_see ' 1/54 *$' "set of $d: opens"
	screen "ids-$d-first"
	tui_keys G
	tui_see ' 54/54 *$' "set of $d: the end"
	screen "ids-$d-end"
	tui_quit
done
cmp -s "$T/ids-one-first" "$T/ids-three-first" && cmp -s "$T/ids-one-end" "$T/ids-three-end"
ok $? "sets of one and of three: the same ids in the same order"
grep -q '1000000001 ' "$T/ids-three-first"
ok $? "the first document of the set has id 1000000001"

# refusals: a per-store filter, and relabelling without the overlay
tui_start 100 14 "$T/three"
tui_see ' 1/54 *$' "provex SET opens the interface"
tui_keys o o o
tui_see 'sorted by [a-z]+ \(not by dup: on a set of shards it would be per shard\)' \
	"the sort cycle passes over dup on the set"
tui_keys /
tui_type 'dup:>1'
tui_see 'dup: on a set of 3 shards: refused' "the prompt says dup: is refused on the set"
tui_keys Enter
tui_see 'filter: dup: on a set of 3 shards: refused, as it would be answered per shard' \
	"Enter: the status line says why"
tui_see ' 1/54 *$' "and the list keeps every document"
tui_quit

# relabelling through the set's review overlay (SET/review.pvx)
REAL0=$(pv count "$T/three" origin:real)
tui_start 100 14 browse "$T/three"
tui_see ' 1/54 *$' "the set opened again"
tui_keys r
tui_see 'origin=real on document 1000000001: 1 changed \(batch 1; u undoes\)' \
	"a relabel key on the set relabels the document (batch 1)"
tui_settle
like "$(tui_row 1)" '1000000001 +real ' "the list shows it relabelled"
is "$(pv count "$T/three" origin:real)" "$((REAL0 + 1))" "provex count sees it"
tui_keys /
tui_type 'origin:real'
tui_keys Enter
tui_see " 1/$((REAL0 + 1)) *\$" "the interface's count of origin:real sees it too"
tui_keys / C-u Enter
tui_see ' 1/54 *$' "the filter cleared"
tui_keys j s
tui_see 'origin=synthetic on document 1000000002: 1 changed \(batch 2; u undoes\)' \
	"a second relabel (the overlay open) works too"
tui_keys /
tui_type 'origin:real'
tui_keys Enter
tui_see " 1/$REAL0 *\$" "the count after a second batch (review.pvx written again) sees it"
tui_keys / C-u Enter
tui_see ' 1/54 *$' "the filter cleared"
tui_keys j
tui_keys H
tui_see 'origin +[a-z]+ -> synthetic +\(batch 2' "the history view shows the set's change"
tui_keys q u
tui_see 'undid batch 2' "u undoes the last batch on the set"
tui_settle
like "$(tui_row 2)" '1000000002 +real ' "the list shows the document as it was"
# another reviewer's label, while the interface is open: seen at the
# next page, the document listed once
pv label "$T/three" id:1000000003 --set label=other --yes > /dev/null
ok $? "provex label on the set while the interface is open"
tui_keys g
tui_see ' 1000000003 .* other +[0-9]+ doc f1 r3' "the next page shows that label"
tui_settle
is "$(printf '%s\n' "$SCREEN" | grep -c ' 1000000003 ')" 1 "and lists the document once"
# the compare view: a tagged document beside the one under the cursor
tui_keys g t c
tui_see 'comparing with tagged document 1000000001' "c compares with the tagged document"
tui_see '^#1000000002 .*│#1000000001 ' "the two documents side by side"
tui_shows 'doc f1 r2 .*│.*doc f1 r1 '
ok $? "each with its own text"
tui_keys q
tui_quit
is "$(pv count "$T/three" origin:real)" "$((REAL0 + 1))" "batch 1 stays"
[ -f "$T/three/review.pvx" ]
ok $? "the set's review state is in SET/review.pvx"
is "$(sums)" "$BEFORE" "no shard file changed"

# review state in the interface: detect's scores, in SET/review.pvx, read
# by a score: filter and the score sort as the plain store reads its own
mkset "$T/scored" 3
ok $? "another set of three shards, to score"
pv detect "$T/scored" > /dev/null 2>&1 && pv detect "$S" > /dev/null 2>&1
ok $? "detect on it and on the plain store (the same scores)"
printf 'columns: [origin, source, size, text]\n' > "$T/cfg/provex/config.yaml"
NS=$(pv count "$S" 'score:>0.5')
sort_score() {	# o until the status line says the list is sorted by score
	for _i in 1 2 3 4 5 6 7 8 9 10 11; do
		tui_keys o
		tui_settle
		tui_shows 'sorted by score' && return 0
	done
	return 1
}
scored() {	# scored PATH TAG
	tui_start 90 14 browse "$1"
	tui_see ' 1/54 *$' "$2: opens"
	tui_keys /
	tui_type 'score:>0.5'
	tui_keys Enter
	tui_see " 1/$NS *\$" "$2: score:>0.5 at the prompt: $NS documents"
	screen "$2-score"
	sort_score
	ok $? "$2: o reaches the sort by score"
	tui_see " 1/$NS *\$" "$2: sorted by score, the filter kept"
	screen "$2-score-sorted"
	tui_keys / C-u Enter
	tui_see ' 1/54 *$' "$2: the filter cleared"
	screen "$2-sorted"
	tui_keys O
	tui_see 'sorted by score, descending' "$2: by score, descending"
	screen "$2-sorted-desc"
	tui_keys G
	tui_see ' 54/54 *$' "$2: the end (documents without a score)"
	screen "$2-sorted-end"
	tui_quit
}
scored "$S" plain
scored "$T/scored" scored
for v in score score-sorted sorted sorted-desc sorted-end; do
	if cmp -s "$T/plain-$v" "$T/scored-$v"; then
		ok 0 "plain store and scored set: the same $v screen"
	else
		ok 1 "plain store and scored set: the same $v screen"
		diff "$T/plain-$v" "$T/scored-$v" | sed 's/^/#   /'
	fi
done
cmp -s "$T/scored-sorted" "$T/scored-sorted-desc"
is $? 1 "the descending order is another"

done_testing
