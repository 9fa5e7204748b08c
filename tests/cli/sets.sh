#!/bin/sh
# Sets of stores (README, "Sets of stores"): a folder of shards read as one
# store by count, ls, show, cat, info and stats.  The same corpus as sets of 1, 2,
# 3, 7, 11 and 12 shards (nine files: some ranks of the last two are
# empty) gives the same output, and the same order as one plain
# store; incomplete, mixed, disagreeing, empty and damaged sets are refused
# with what to run; the other commands refuse a folder; per-store filters
# are refused on a set of several shards; 200 tiny shards open.
#
# The shards come from provex index --world-size when this build has it,
# else they are made by hand to the contract (a store per rank, its ids
# rewritten to (p + 1) * 10^9 + rec + 1, its meta and marker written).
. "$top_srcdir/tests/cli/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	skip "the sqlite3 program is needed to make and damage test sets"
	done_testing
	exit 0
fi
if "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	SHARDED=1
else
	SHARDED=0
	echo "# this build's index has no --world-size: shards made by hand"
fi

# the corpus: nine files, texts repeated across files (so across shards)
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
		elif [ $r = 5 ] && [ $(( f % 2 )) = 0 ]; then
			t="an even file's repeated paragraph about kernels"
		else
			t="document $r of file $f: hello $(head -c $(( f * r )) /dev/zero | tr "\\0" x) world"
		fi
		id=f$f-r$r
		[ $f = 9 ] && [ $r = 1 ] && id=f1-r1      # an input id in two files
		printf '{"id":"%s","text":"%s","origin":"%s","source":"%s","generator":"%s"}\n' \
			"$id" "$t" "$o" "$s" "$g"
	done > "$T/c/part-$f.jsonl"
done
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
OPTS="--id-field id --origin-field origin --source-field source --generator-field generator"
NDOCS=54
LISTING=$(printf '%s\n' $FILES | md5sum | cut -c1-32)

# mark SET R N: the completion marker of a shard in place
mark() {
	_f=$(printf '%s/shard-%05d-of-%05d' "$1" "$2" "$3")
	printf '{"provex_shard":1,"rank":%d,"world_size":%d,"listing":"%s","listing_files":9,"files":0,"docs":0,"texts":0,"bytes":%d,"finished":"2026-01-01T00:00:00Z","host":"test"}\n' \
		"$2" "$3" "$4" "$(wc -c < "$_f.pvx")" > "$_f.done"
}

# build_set SET N: the corpus as a set of N shards
build_set() {
	mkdir -p "$1"
	_r=0
	while [ $_r -lt $2 ]; do
		if [ $SHARDED = 1 ]; then
			pv index "$1" $FILES $OPTS --world-size $2 --rank $_r -q || return 1
		else
			_s=$(printf '%s/shard-%05d-of-%05d.pvx' "$1" $_r $2)
			_mine= _p=0 _sql=
			for _f in $FILES; do
				if [ $(( _p % $2 )) = $_r ]; then
					_mine="$_mine $_f"
					_sql="$_sql UPDATE docs SET id = $(( _p + 1 )) * 1000000000 + rec + 1 WHERE input_id = (SELECT id FROM inputs WHERE name = '$_f');"
				fi
				_p=$(( _p + 1 ))
			done
			pv index "$_s" $_mine $OPTS -q || return 1
			sqlite3 "$_s" "$_sql INSERT INTO meta VALUES('shard.rank','$_r'),('shard.world_size','$2'),('shard.listing','$LISTING'); PRAGMA journal_mode=DELETE;" > /dev/null || return 1
			mark "$1" $_r $2 "$LISTING"
		fi
		_r=$(( _r + 1 ))
	done
}

for n in 1 2 3 7 11 12; do
	build_set "$T/set$n" $n
	ok $? "the corpus as a set of $n shard(s)"
done
pv index "$T/plain.pvx" $FILES $OPTS -q
ok $? "and as one plain store"
if [ $SHARDED = 1 ]; then
	LISTING=$(sed 's/.*"listing":"\([0-9a-f]*\)".*/\1/' "$T/set2/shard-00000-of-00002.done")
fi

# ---- the same answers from every set ----
# run_on SET ARGS...: provex ARGS with each word SET replaced by the set;
# under PROVEX_VALGRIND, the sets of 2, 7 and 11 shards (the same merge as
# those of 3 and 12) are read by provex as is: valgrind watches the runs
# on the sets of 1, 3 and 12 (one in PROVEX_VALGRIND_EVERY of them)
pvn() { "$PROVEX" "$@"; }
run_on() {
	_set=$1
	_pv=pv
	case $_set in */set2|*/set7|*/set11) _pv=pvn ;; esac
	shift
	_n=$#
	while [ $_n -gt 0 ]; do
		_a=$1
		shift
		[ "$_a" = SET ] && _a=$_set
		set -- "$@" "$_a"
		_n=$((_n - 1))
	done
	$_pv "$@" 2>&1
}
# same NAME ARGS...: provex ARGS on each set gives what it gives on the
# 1-shard set (left in LAST)
same() {
	_name=$1
	shift
	_want=
	_bad=
	for n in 1 2 3 7 11 12; do
		_got=$(run_on "$T/set$n" "$@" | sed "s|$T/set$n|SET|g")
		if [ $n = 1 ]; then
			_want=$_got
		elif [ "$_got" != "$_want" ]; then
			_bad="$_bad $n"
			printf '%s\n' "$_want" > "$T/want.txt"
			printf '%s\n' "$_got" > "$T/got.txt"
			diff "$T/want.txt" "$T/got.txt" | head -5 | sed 's/^/# /'
		fi
	done
	is "$_bad" "" "$_name: the same on sets of 1, 2, 3, 7, 11 and 12 shards"
	LAST=$_want
}

same "count" count SET
is "$LAST" $NDOCS "count: every document"
same "count origin:synthetic" count SET origin:synthetic
is "$LAST" "$(pv count "$T/plain.pvx" origin:synthetic)" "count origin:synthetic as the plain store's"
same "count hello (full text)" count SET hello
is "$LAST" "$(pv count "$T/plain.pvx" hello)" "count hello as the plain store's"
same "count a phrase" count SET '"repeated paragraph"'
is "$LAST" 4 "count a phrase: the four even files"
same "count source:web*" count SET 'source:web*'
same "count file: and NOT" count SET 'file:*part-3* OR (-origin:real len:>30)'
is "$LAST" "$(pv count "$T/plain.pvx" 'file:*part-3* OR (-origin:real len:>30)')" \
	"count file: OR NOT as the plain store's"
same "count generator:" count SET 'generator:model-1'
same "ls" ls SET
is "$(printf '%s\n' "$LAST" | wc -l)" $NDOCS "ls: a line per document"
same "ls --sort len" ls SET --sort len
same "ls --sort len- --limit 5" ls SET --sort len- --limit 5
is "$(printf '%s\n' "$LAST" | wc -l)" 5 "ls --limit 5: five lines"
same "ls --sort source" ls SET --sort source
same "ls --sort generator- (NULLs last)" ls SET --sort generator-
same "ls --sort file- --limit 20" ls SET --sort file- --limit 20
same "ls --sort ext --limit 7 filtered" ls SET --sort ext --limit 7 hello
same "ls --sort words origin:real" ls SET --sort words origin:real
same "ls --json" ls SET --json
like "$LAST" '"dups":9' "ls --json: a text in every file counts its 9 documents, across shards"

# the order is one store's: the plain store (ids 1, 2, ... in the same
# order as the sets' ids) lists the same rows, ids aside
for sort in id len len- source generator generator- words- ext file- origin; do
	a=$(pv ls "$T/plain.pvx" --sort $sort | cut -f2-)
	b=$(pv ls "$T/set7" --sort $sort | cut -f2-)
	is "$b" "$a" "ls --sort $sort: a set of 7 merges in the order of one store"
done

ID1=$(pv ls "$T/set1" --limit 1 | cut -f1)
ID9=$(pv ls "$T/set1" --sort id- --limit 1 | cut -f1)
like "$ID1" '^1000000001$' "the first document's id is (0 + 1) * 10^9 + 0 + 1"
same "show two ids" show SET $ID1 $ID9
like "$LAST" "the same text occurs 9 times" "show: duplicates counted across shards"
same "show --ext" show SET --ext f4-r5
like "$LAST" "occurs 4 times" "show --ext: the even files' paragraph"
same "cat" cat SET $ID9 $ID1 $ID9
same "a missing id" show SET 42
like "$LAST" "no document with id 42" "a set says which id it lacks"
same "an unknown input id" show SET --ext nope
like "$LAST" "no document with input id 'nope'" "an unknown input id is said"
same "an input id of two documents (two shards)" show SET --ext f1-r1
like "$LAST" "input id 'f1-r1' names 2 documents .*refused" "is refused as in one store"
like "$LAST" "id 9000000001 .*part-9.jsonl, record 1" "and its documents listed, from every shard"

# info: the whole set's figures (a text in several shards counts once);
# files, dictionaries and runs are the shards'
info_core() { pv info "$1" | sed -n -e '/^documents/p' -e '/^duplicates/p' \
	-e 's/^bytes \(.*\), stored.*/\1/p' -e '/^  /p'; }
want=$(info_core "$T/plain.pvx")
for n in 1 2 3 7 11 12; do
	is "$(info_core "$T/set$n")" "$want" "info of the set of $n: documents, distinct texts, duplicates, bytes and groups as one store's"
done
like "$(pv info "$T/set7")" "^set +$T/set7" "info names a set"
like "$(pv info "$T/set7")" "shards +7 \\(listing $LISTING\\)" "and its shards and listing"
is "$(pv info "$T/set7" --json | json_num shards)" 7 "info --json: shards"
is "$(pv info "$T/set3" --json | json_num texts)" "$(pv info "$T/plain.pvx" --json | json_num texts)" \
	"info --json: distinct texts merged across shards"

# stats: exact medians and percentiles, as one store's
for args in "" "--by source" "--by file" "--by generator hello" "--json --by origin len:>40"; do
	same "stats $args" stats SET $args
	is "$LAST" "$(pv stats "$T/plain.pvx" $args 2>&1)" "stats $args: as the plain store's"
done
err=$(pv stats "$T/set3" --html "$T/s.html" 2>&1)
is $? 1 "stats --html on 3 shards: refused"
like "$err" "--html on a set of 3 shards: refused" "and says so"
ok $(pv stats "$T/set1" --html "$T/s.html" > /dev/null 2>&1; echo $?) "stats --html on a set of one shard"

# ---- per-store meanings on several shards ----
for f in 'dup:>1' 'is:dup' 'ratio:>1' 'hello -(is:dup)'; do
	err=$(pv count "$T/set3" "$f" 2>&1)
	is $? 2 "count '$f' on 3 shards: refused"
done
like "$err" "per shard .*duplicates are counted within each shard" "and says why"
err=$(pv ls "$T/set2" --sort dup 2>&1)
is $? 2 "ls --sort dup on 2 shards: refused"
like "$err" "--sort dup on a set of 2 shards: refused" "naming the sort"
is "$(pv count "$T/set1" 'dup:>1')" "$(pv count "$T/plain.pvx" 'dup:>1')" \
	"dup:>1 on a set of one shard: answered, exact"

# ---- review state a set keeps in review.pvx (set_filters.sh tests more) ----
# with no review.pvx yet, such a filter matches nothing, as in a fresh store
for f in 'score:>0.5' 'has:score' 'sim:>0.8' 'has:pair' 'pair:5' 'is:disputed'; do
	for n in 1 3; do
		is "$(pv count "$T/set$n" "$f")" "$(pv count "$T/plain.pvx" "$f")" \
			"count '$f' on a set of $n with no review.pvx: the plain store's"
	done
done
is "$(pv count "$T/set3" 'hello OR -(has:pair)')" "$(pv count "$T/plain.pvx" 'hello OR -(has:pair)')" \
	"-(has:pair) on a set: every document, as on the plain store"
is "$(pv ls "$T/set1" --sort score | wc -l)" "$(pv ls "$T/plain.pvx" --sort score | wc -l)" \
	"ls --sort score on a set: answered"
is "$(pv count "$(ls "$T/set1"/shard-*.pvx)" 'has:score')" 0 \
	"the shard file alone is a store: has:score answered (none)"

err=$(pv index "$T/set2" "$T/c/part-1.jsonl" $OPTS 2>&1)
is $? 1 "index into a set's folder without --world-size: refused"
like "$err" "a folder: provex index writes one store file, or with --world-size N --rank R a shard" \
	"and says how a set is built"
is "$(ls "$T/set2" | wc -l)" 4 "the set's folder is as it was"

# a published shard is read as a store, never written
SH=$T/set3/shard-00001-of-00003.pvx
sum=$(cksum < "$SH")
is "$(pv count "$SH")" "$(pv count "$T/set3" 'file:*part-2* OR file:*part-5* OR file:*part-8*')" \
	"a shard read alone: its own documents"
for c in "label $SH origin:real --set label=keep" "undo $SH" "index $SH $T/c/part-1.jsonl" \
	"pairs $SH" "browse $SH" "index $SH --index-meta lang"; do
	err=$(pv $c 2>&1 < /dev/null)
	st=$?
	like "$err" "a published shard of a set .*shards are never written again" \
		"$(printf "%s" "$c" | sed "s|$T/||g"): refused on a published shard (status $st)"
done
is "$(cksum < "$SH")" "$sum" "the shard is as it was"
is "$(pv count "$T/set3")" $NDOCS "and the set still opens"

# ---- sets that are not complete or not one ----
mkdir "$T/empty"
err=$(pv count "$T/empty" 2>&1)
is $? 1 "an empty folder: refused"
like "$err" "no shard \\(shard-RRRRR-of-NNNNN.pvx\\)" "an empty folder: no shard"

cp -r "$T/set7" "$T/inc"
rm "$T/inc/shard-00003-of-00007.done" "$T/inc/shard-00005-of-00007.done"
err=$(pv ls "$T/inc" 2>&1)
is $? 1 "two markers missing: refused"
like "$err" "incomplete: ranks 3 and 5 of 7 have no completion marker" "names the ranks"
like "$err" "provex index $T/inc \\.\\.\\. --world-size 7 --rank 3 \\(and likewise --rank 5\\)" \
	"and what to run"

cp -r "$T/set3" "$T/nopvx"
rm "$T/nopvx/shard-00002-of-00003.pvx"
err=$(pv count "$T/nopvx" 2>&1)
like "$err" "rank 2 of 3 has a completion marker and no shard file" "a marker without its shard"
like "$err" "remove $T/nopvx/shard-00002-of-00003.done, then run rank 2 again" \
	"is to be removed before the rank is built again"
if [ $SHARDED = 1 ]; then
	rm "$T/nopvx/shard-00002-of-00003.done"
	pv index "$T/nopvx" $FILES $OPTS --world-size 3 --rank 2 -q
	is "$(pv count "$T/nopvx" 2>&1)" $NDOCS "the advice followed, the set opens again"
fi

cp -r "$T/set3" "$T/other"
sed -i 's/"listing":"[0-9a-f]*"/"listing":"00000000000000000000000000000000"/' \
	"$T/other/shard-00001-of-00003.done"
like "$(pv count "$T/other" 2>&1)" "rank 1 of 3 names another listing of inputs than rank 0's" \
	"a marker for another listing"

cp -r "$T/set3" "$T/bad"
echo '{"provex_shard":1,"rank":0' > "$T/bad/shard-00000-of-00003.done"
like "$(pv count "$T/bad" 2>&1)" "shard-00000-of-00003.done is not one JSON object" \
	"a marker that does not parse"

cp -r "$T/set3" "$T/mix"
cp "$T/set2/shard-00000-of-00002.pvx" "$T/mix/"
like "$(pv count "$T/mix" 2>&1)" "shards of world sizes 2 and 3 in one folder" "two world sizes"

cp -r "$T/set3" "$T/meta"
sqlite3 "$T/meta/shard-00001-of-00003.pvx" "UPDATE meta SET value='2' WHERE key='shard.rank'"
mark "$T/meta" 1 3 "$LISTING"
err=$(pv count "$T/meta" 2>&1)
is $? 1 "a shard whose meta disagrees: refused"
like "$err" "shard-00001-of-00003.pvx says it is rank 2 of 3" "and what it says"

cp -r "$T/set3" "$T/trunc"
head -c 4096 "$T/set3/shard-00002-of-00003.pvx" > "$T/trunc/shard-00002-of-00003.pvx"
like "$(pv count "$T/trunc" 2>&1)" "shard-00002-of-00003.pvx is 4096 bytes and its completion marker says" \
	"a shard changed after it was published"
if [ $SHARDED = 1 ]; then
	rm "$T/trunc/shard-00002-of-00003.pvx" "$T/trunc/shard-00002-of-00003.done"
	pv index "$T/trunc" $FILES $OPTS --world-size 3 --rank 2 -q
	is "$(pv count "$T/trunc" 2>&1)" $NDOCS "the advice followed, the set opens again"
fi

cp -r "$T/set3" "$T/corrupt"
printf 'this is not SQLite' | dd of="$T/corrupt/shard-00001-of-00003.pvx" conv=notrunc 2>/dev/null
err=$(pv info "$T/corrupt" 2>&1)
is $? 1 "a corrupt shard: refused"
like "$err" "shard-00001-of-00003.pvx.*a shard of the set $T/corrupt; remove $T/corrupt/shard-00001-of-00003.pvx and its .done, then run rank 1 again" \
	"names the shard and what to run"

# ---- 200 tiny shards ----
printf '{"text":"tiny"}\n{"text":"shard"}\n' > "$T/tiny.jsonl"
pv index "$T/tiny.pvx" "$T/tiny.jsonl" -q
sqlite3 "$T/tiny.pvx" "PRAGMA journal_mode=DELETE" > /dev/null
mkdir "$T/big"
r=0
while [ $r -lt 200 ]; do
	s=$(printf '%s/shard-%05d-of-00200.pvx' "$T/big" $r)
	cp "$T/tiny.pvx" "$s"
	echo "INSERT INTO meta VALUES('shard.rank','$r'),('shard.world_size','200'),('shard.listing','$LISTING');" |
		sqlite3 "$s"
	mark "$T/big" $r 200 "$LISTING"
	r=$((r + 1))
done
t0=$(date +%s.%N)
n=$(pv count "$T/big")
t1=$(date +%s.%N)
is "$n" 400 "a set of 200 shards opens and counts"
echo "# 200 shards: count in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"
like "$(pv info "$T/big")" "documents +400 \\(2 distinct texts\\)" "info of 200 shards: distinct texts merged"

done_testing
