#!/bin/sh
# provex export on a set of stores (README, "Sets of stores"): the same
# corpus as sets of 1, 2, 3 and 7 shards exports byte-identical records
# and manifests (but for the fields naming the store: "command", "store"
# and "set") with the same seed: a filter (full-text words too),
# --sample, --total with repeats, --mix with two groups, --max-repeat
# with --keep-shares, --shuffle, --shards 3, gzip, after labels too.
# Duplicate texts across files (so across shards) are written once, as
# the first document by id, as one store does: against a plain store of
# the same files, the same texts come out in the same order.  Refusals
# stay loud on a set.
. "$top_srcdir/tests/cli/lib.sh"

if ! "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	skip "this build's index has no --world-size"
	done_testing
	exit 0
fi

# the corpus: eight files; some texts repeat across files with another
# origin (the first by id is kept), some within a file
mkdir "$T/c"
for f in 1 2 3 4 5 6 7 8; do
	for r in 1 2 3 4 5 6 7 8 9 10; do
		case $(( (f * 3 + r) % 4 )) in
		0|1) o=real; s=web/news ;;
		2) o=synthetic; s=gen/a ;;
		*) o=synthetic; s=gen/b ;;
		esac
		if [ $r = 10 ]; then
			t="the same text in every file"
		elif [ $r = 9 ] && [ $(( f % 3 )) = 0 ]; then
			t="a paragraph repeated in every third file"
		elif [ $r = 8 ] && [ $f -gt 4 ]; then
			t="document 3 of file $(( f - 4 ))"      # a text of an earlier file
		else
			t="document $r of file $f"
		fi
		printf '{"id":"f%s-r%s","text":"%s","origin":"%s","source":"%s"}\n' \
			"$f" "$r" "$t" "$o" "$s"
	done > "$T/c/part-$f.jsonl"
done
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
OPTS="--id-field id --origin-field origin --source-field source"

for n in 1 2 3 7; do
	mkdir "$T/set$n"
	_r=0 _st=0
	while [ $_r -lt $n ]; do
		pv index "$T/set$n" $FILES $OPTS --world-size $n --rank $_r -q || _st=1
		_r=$((_r + 1))
	done
	ok $_st "the corpus as a set of $n shard(s)"
done
pv index "$T/plain.pvx" $FILES $OPTS -q
ok $? "and as one plain store"

# export_on WHERE NAME OUT-FILE ARGS...: provex export WHERE ARGS -o
# $T/NAME/OUT-FILE; prints its status
export_on() {
	_w=$1 _d=$T/$2 _o=$3
	shift 3
	mkdir -p "$_d"
	pv export "$_w" "$@" -o "$_d/$_o" 2> "$_d/err"
	echo $?
}

# the manifest without the fields naming the store (its path, the
# command that names it, and the set's shard count)
manifest_of() {
	grep -v -e '^  "command": ' -e '^  "store": ' -e '^  "set": ' "$1"
}

# same NAME OUT-FILE ARGS...: the export on every set writes the same
# files (and manifest, but for the store's fields) as on the set of one
same() {
	_name=$1 _out=$2
	shift 2
	_st=$(export_on "$T/set1" "$_name-1" "$_out" "$@")
	[ -s "$T/$_name-1/$_out.manifest.json" ] &&
		[ "$(grep -c '"records": [1-9]' "$T/$_name-1/$_out.manifest.json")" -gt 0 ] ||
		_st="$_st, nothing written"
	is "$_st" 0 "$_name: exported from the set of 1 (something written)"
	for n in 2 3 7; do
		_st=$(export_on "$T/set$n" "$_name-$n" "$_out" "$@")
		_diff=ok
		for _f in $(cd "$T/$_name-1" && ls | grep -v '^err$'); do
			case $_f in
			*.manifest.json)
				manifest_of "$T/$_name-1/$_f" > "$T/m1"
				manifest_of "$T/$_name-$n/$_f" > "$T/mn"
				cmp -s "$T/m1" "$T/mn" || _diff="$_f differs" ;;
			*)
				diff -r "$T/$_name-1/$_f" "$T/$_name-$n/$_f" > /dev/null ||
					_diff="$_f differs" ;;
			esac
		done
		is "$_st $_diff" "0 ok" "$_name: the set of $n writes what the set of 1 writes"
	done
}

same all a.jsonl
same filter a.jsonl 'origin:synthetic'
same fulltext a.jsonl 'file 3 len:<25' --fields text,id
same narrow a.jsonl 'document 3 file 1' --fields text,id
same sample a.jsonl --sample 17 --seed 5
same fraction a.jsonl --fraction 0.3 --seed 11 --fields text,id
same repeats a.jsonl --mix origin=real:1 --total 200 --seed 2
same mix a.jsonl --mix source=gen/a:0.25,web/news:0.75 --total 90 --seed 9
same keep_shares a.jsonl --mix origin=real:0.2,synthetic:0.8 --total 500 \
	--max-repeat 3 --keep-shares --seed 4
same shuffle a.jsonl --shuffle --seed 8 --mix origin=real:0.5,synthetic:0.5 --total 70
same shards a.jsonl --shards 3 --seed 1 --sample 30
same gzip a.jsonl.gz --sample 25 --seed 6
same text_files out --format text --sample 9 --seed 3
same keep_dups a.jsonl --keep-dups 'origin:real'

# what the checks above compare is not empty: records with repeats, the
# duplicates counted, three files
is "$(wc -l < "$T/repeats-7/a.jsonl" | tr -d ' ')" 200 "--total 200: 200 records"
is "$(grep -c '"text":"the same text in every file"' "$T/all-3/a.jsonl")" 1 \
	"a text in every file (every shard) written once"
like "$(cat "$T/all-7/a.jsonl.manifest.json")" '"duplicates_skipped": 12,' \
	"the manifest counts the duplicates across shards"
like "$(cat "$T/all-7/a.jsonl.manifest.json")" '"set": {"shards": 7, "listing": "[0-9a-f]{32}"}' \
	"the manifest names the set's shards and listing"
like "$(cat "$T/all-7/a.jsonl.manifest.json")" '"store": ".*/set7"' \
	"the manifest names the set"
is "$(ls "$T/shards-2" | grep -c 'a-0000[0-2]-of-00003.jsonl')" 3 "--shards 3: three files"
like "$(cat "$T/keep_shares-3/err")" 'keep-shares' "--keep-shares said what it did"
is "$(gzip -dc "$T/gzip-7/a.jsonl.gz" | wc -l | tr -d ' ')" 25 "gzip: 25 records"

# the first document of a duplicated text is kept: document 3 of file 1
# (real, by (3 + 3) % 4 = 2: synthetic) and its copy in file 5 (r=8)
got=$(grep -c '"ext_id":"f5-r8"' "$T/all-7/a.jsonl")
is "$got" 0 "a text seen in an earlier file: the later document skipped"
got=$(grep -c '"ext_id":"f1-r3"' "$T/all-7/a.jsonl")
is "$got" 1 "and the earlier one written"

# few candidates (hashes looked up one by one): a duplicate across shards
# still dropped
is "$(cut -c1-40 "$T/narrow-7/a.jsonl" | tr '\n' ' ')" \
	'{"text":"document 3 of file 1","id":1000 {"text":"document 1 of file 3","id":3000 ' \
	"few candidates: the duplicate of a later shard dropped"

# ---- against a plain store: the same texts in the same order ----
for args in "" "origin:synthetic" "--keep-dups" "source:gen/b --shards 2"; do
	# shellcheck disable=SC2086
	st1=$(export_on "$T/plain.pvx" "p-plain" a.jsonl --fields text,origin,source,ext_id --force $args)
	# shellcheck disable=SC2086
	st2=$(export_on "$T/set7" "p-set" a.jsonl --fields text,origin,source,ext_id --force $args)
	_diff=ok
	for _f in $(cd "$T/p-plain" && ls | grep -v -e '^err$' -e 'manifest'); do
		cmp -s "$T/p-plain/$_f" "$T/p-set/$_f" || _diff="$_f differs"
	done
	is "$st1 $st2 $_diff" "0 0 ok" "a plain store and a set of 7 write the same records: ${args:-all}"
done
manifest_of "$T/p-plain/a.jsonl.manifest.json" | grep -v '"sha256"' > "$T/m1"
manifest_of "$T/p-set/a.jsonl.manifest.json" | grep -v '"sha256"' > "$T/mn"
cmp -s "$T/m1" "$T/mn"
ok $? "and the same manifest (but for the store's fields)"

# ---- after labels: the review overlay's rows are exported, the rows it
# replaces are not ----
_st=0
for w in "$T/set1" "$T/set2" "$T/set3" "$T/set7" "$T/plain.pvx"; do
	pv label "$w" 'source:gen/b' --set label=keep --reviewer t > /dev/null 2>&1 || _st=1
	pv label "$w" 'source:gen/a' --set origin=real --reviewer t > /dev/null 2>&1 || _st=1
done
ok $_st "the sets and the plain store labelled alike"
same labelled a.jsonl 'label:keep'
same relabelled a.jsonl --mix origin=real:0.6,synthetic:0.4 --total 50 --seed 12
is "$(grep -c '"label":"keep"' "$T/labelled-7/a.jsonl") $(wc -l < "$T/labelled-7/a.jsonl")" \
	"19 19" "label:keep: the labelled documents (20, a text held twice)"
is "$(grep -c '"origin":"synthetic"' "$T/relabelled-3/a.jsonl")" 20 \
	"a relabelled origin mixed as relabelled"
st1=$(export_on "$T/plain.pvx" "l-plain" a.jsonl --fields text,origin,label,ext_id)
st2=$(export_on "$T/set7" "l-set" a.jsonl --fields text,origin,label,ext_id)
cmp -s "$T/l-plain/a.jsonl" "$T/l-set/a.jsonl"
is "$st1 $st2 $?" "0 0 0" "labelled: a plain store and a set of 7 write the same records"
manifest_of "$T/l-plain/a.jsonl.manifest.json" > "$T/m1"
manifest_of "$T/l-set/a.jsonl.manifest.json" > "$T/mn"
cmp -s "$T/m1" "$T/mn"
ok $? "and the same manifest, history position included"

# ---- refusals ----
st=$(export_on "$T/set3" refuse a.jsonl --mix origin=real:0.5,unknown:0.5 --total 10)
like "$st $(cat "$T/refuse/err")" '^2 .*no document has unknown' \
	"a mixture group with no documents: refused"
test ! -e "$T/refuse/a.jsonl"
ok $? "and nothing written"
st=$(export_on "$T/set3" refuse a.jsonl --mix origin=real:1 --total 100000)
like "$st $(cat "$T/refuse/err")" '^2 .*more than 100 copies' \
	"more than 100 copies without --max-repeat: refused"
st=$(export_on "$T/set3" refuse a.jsonl is:dup)
like "$st $(cat "$T/refuse/err")" '^2 .*is:dup' \
	"a filter counted per store (is:dup) on a set of several shards: refused"
st=$(export_on "$T/set1" taken a.jsonl is:dup)
is "$st $(wc -l < "$T/taken/a.jsonl" | tr -d ' ')" "0 6" "and taken on a set of one (the six texts held twice or more)"
mkdir "$T/notaset"
st=$(export_on "$T/notaset" refuse a.jsonl)
like "$st $(cat "$T/refuse/err")" '^1 .*notaset' "a folder that is not a set: refused"
rm "$T/set7/shard-00004-of-00007.done"
st=$(export_on "$T/set7" refuse a.jsonl)
like "$st $(cat "$T/refuse/err")" '^1 .*rank 4 of 7' \
	"a set with a shard unfinished: refused, naming it"

done_testing
