#!/bin/sh
# provex export: --shuffle (deterministic by seed, across shards), the
# refusal of a --total that repeats documents beyond reason or exceeds the
# free space, --keep-shares and the asked-against-written summary, the
# temporaries a killed export leaves (removed by the next export to the
# same place, never those of a running one) and stored metadata that is
# not valid JSON (never written as an invalid line).
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

python3 -c 'import json
for i in range(1, 11):
    print(json.dumps({"id": "d%d" % i, "text": "document number %d" % i,
                      "origin": "real" if i <= 3 else "synthetic", "k": i}))' > "$T/in.jsonl"
pv index "$S" "$T/in.jsonl" --id-field id --origin-field origin -q
ok $? "index"

ids() {	# ids FILE...: the id of each record, one line
	python3 -c 'import json, sys
print(" ".join(str(json.loads(l)["id"]) for f in sys.argv[1:] for l in open(f, encoding="utf-8")))' "$@"
}
mget() { json_num "$2" < "$1"; }
lines() { wc -l < "$1" | tr -d ' '; }

# ---- --shuffle ----
pv export "$S" -o "$T/plain.jsonl" 2>/dev/null
pv export "$S" -o "$T/sh1.jsonl" --shuffle --seed 1 2>/dev/null
ok $? "--shuffle"
isnt_order=$(ids "$T/sh1.jsonl")
[ "$isnt_order" != "$(ids "$T/plain.jsonl")" ]
ok $? "--shuffle: not in id order ($isnt_order)"
is "$(ids "$T/sh1.jsonl" | tr ' ' '\n' | sort -n | tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 " \
	"--shuffle: every document once"
is "$(sort "$T/sh1.jsonl" | cksum)" "$(sort "$T/plain.jsonl" | cksum)" "--shuffle: the same records"
pv export "$S" -o "$T/sh1b.jsonl" --shuffle --seed 1 2>/dev/null
cmp -s "$T/sh1.jsonl" "$T/sh1b.jsonl"
ok $? "--shuffle: the same seed, the same order"
pv export "$S" -o "$T/sh2.jsonl" --shuffle --seed 2 2>/dev/null
[ "$(ids "$T/sh2.jsonl")" != "$isnt_order" ]
ok $? "--shuffle: another seed, another order"
is "$(mget "$T/sh1.jsonl.manifest.json" order)" shuffled "manifest: the order"
is "$(mget "$T/plain.jsonl.manifest.json" order)" id "manifest: id order without --shuffle"

# repeats of a mixture are spread, not in blocks
runs() {	# runs FILE: how many records repeat the one before them
	python3 -c 'import json, sys
r = [json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8")]
print(sum(1 for a, b in zip(r, r[1:]) if a == b))' "$1"
}
pv export "$S" -o "$T/m.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 40 --seed 3 2>/dev/null
pv export "$S" -o "$T/ms.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 40 --seed 3 --shuffle 2>/dev/null
ok $? "--mix with --shuffle"
is "$(runs "$T/m.jsonl")" 30 "without --shuffle a document's copies are in one block"
like "$(runs "$T/ms.jsonl")" '^([0-9]|1[0-4])$' "with --shuffle they are spread ($(runs "$T/ms.jsonl") neighbours equal)"
is "$(sort "$T/ms.jsonl" | cksum)" "$(sort "$T/m.jsonl" | cksum)" "the same records, shuffled"
is "$(python3 -c 'import json, sys
r = [json.loads(l)["origin"] for l in open(sys.argv[1], encoding="utf-8")]
print(all(10 <= h.count("real") <= 18 for h in (r[:20], r[20:])))' "$T/ms.jsonl")" True \
	"both halves hold about the mixture's share of real copies (28 of 40)"
is "$(mget "$T/ms.jsonl.manifest.json" documents)" 10 "manifest: documents counted once however many copies"

# shards: the order and the assignment both come from the seed
pv export "$S" -o "$T/x.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 40 --seed 3 --shuffle \
	--shards 3 2>/dev/null
ok $? "--shuffle --shards 3"
is "$(python3 -c 'import sys, itertools
sh = [open(f, "rb").read().splitlines(True) for f in sys.argv[2:]]
whole = b"".join(l for t in itertools.zip_longest(*sh) for l in t if l)
print("same" if whole == open(sys.argv[1], "rb").read() else "differ")' "$T/ms.jsonl" \
	"$T/x-00000-of-00003.jsonl" "$T/x-00001-of-00003.jsonl" "$T/x-00002-of-00003.jsonl")" same \
	"the shards deal out the seeded order round-robin"
err=$(pv export "$S" -o "$T/tx" --format text --shuffle 2>&1); st=$?
is $st 2 "--shuffle with --format text: exit 2"

# ---- totals beyond reason ----
err=$(pv export "$S" -o "$T/huge.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 99999999999 2>&1); st=$?
is $st 2 "--total 99999999999: refused"
like "$err" "would repeat each of the 3 documents of origin=real up to 23,333,333,333 times \(99,999,999,999 records, about [0-9.]+ TB\)" \
	"says how many copies, records and bytes"
err=$(pv export "$S" -o "$T/huge.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 99999999999 --force 2>&1); st=$?
is $st 2 "... even with --force (more copies than a count holds)"
err=$(pv export "$S" -o "$T/huge.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 1000 2>&1); st=$?
is $st 2 "--total repeating a document more than 100 times without --max-repeat: refused"
like "$err" "up to 234 times .*more than 100 copies is refused unless --force; --max-repeat K caps" \
	"says the limit and the ways out"
test ! -e "$T/huge.jsonl" && test ! -e "$T/huge.jsonl.manifest.json"
ok $? "nothing written"
pv export "$S" -o "$T/f.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 1000 --force 2>/dev/null
is "$(lines "$T/f.jsonl")" 1000 "--force writes it"
pv export "$S" -o "$T/c.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 1000 --max-repeat 200 2>/dev/null
is "$(lines "$T/c.jsonl")" 900 "--max-repeat caps it (600 real, 300 synthetic)"

# ---- --keep-shares ----
pv export "$S" -o "$T/k0.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 100 --max-repeat 5 2> "$T/err"
like "$(cat "$T/err")" "45 of the 100 records asked" "capped: the summary says written against asked"
like "$(cat "$T/err")" "real +3 +70 +70\.0% +15 +33\.3% +5\.00" "capped: asked and written share of each group"
like "$(cat "$T/err")" "the shares written differ from those asked: --keep-shares" "capped: says the shares changed"
pv export "$S" -o "$T/k.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 100 --max-repeat 5 \
	--keep-shares 2> "$T/err"
ok $? "--keep-shares"
is "$(python3 -c 'import json, sys
r = [json.loads(l)["origin"] for l in open(sys.argv[1], encoding="utf-8")]
print(len(r), r.count("real"), r.count("synthetic"))' "$T/k.jsonl")" "21 15 6" \
	"the shares kept (15/21 = 71%), the total shrunk"
like "$(cat "$T/err")" "21 of the 100 records asked \(--max-repeat 5, --keep-shares\)" "summary: written against asked"
like "$(cat "$T/err")" "real +3 +70 +70\.0% +15 +71\.4% +5\.00" "summary: real asked 70%, written 71.4%"
like "$(cat "$T/err")" "synthetic +7 +30 +30\.0% +6 +28\.6% +0\.86" "summary: synthetic"
like "$(cat "$T/err")" "79 records fewer than asked" "summary: says the total shrank"
is "$(mget "$T/k.jsonl.manifest.json" mix.total_written)" 21 "manifest: total written"
is "$(mget "$T/k.jsonl.manifest.json" mix.keep_shares)" True "manifest: keep_shares"
is "$(mget "$T/k.jsonl.manifest.json" mix.groups | python3 -c 'import sys,ast
g = ast.literal_eval(sys.stdin.read())[0]; print(g["target"], g["written"], g["written_share"])')" \
	"70 15 0.714286" "manifest: asked, written and written share per group"
err=$(pv export "$S" -o "$T/k2.jsonl" --mix origin=real:1 --total 10 --keep-shares 2>&1); st=$?
is $st 2 "--keep-shares without --max-repeat: exit 2"

# ---- free space ----
if [ "$(id -u)" -eq 0 ] && mkdir "$T/small" && mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null; then
	err=$(pv export "$S" -o "$T/small/o.jsonl" --mix origin=real:0.5,synthetic:0.5 --total 2000 --max-repeat 1000 2>&1); st=$?
	is $st 1 "more than the free space: refused"
	like "$err" "would write 2,000 records \(10 documents, up to 334 copies each\), about [0-9.]+ KB, and the file system of $T/small has [0-9.]+ KB free" \
		"says what it would write and the space there is"
	err=$(pv export "$S" -o "$T/small/o.jsonl.zst" --mix origin=real:0.5,synthetic:0.5 --total 2000 --max-repeat 1000 2>&1)
	like "$err" "about [0-9.]+ KB once compressed \(a guess from the store's compression\)" \
		"compressed: the estimate says it is a guess"
	pv export "$S" -o "$T/small/o.jsonl.zst" --mix origin=real:0.5,synthetic:0.5 --total 2000 --max-repeat 1000 \
		--force 2>/dev/null
	ok $? "--force tries it (and repeats compress well)"
	is "$(ls -A "$T/small" | tr '\n' ' ')" "o.jsonl.zst o.jsonl.zst.manifest.json " "only the compressed export"
	umount "$T/small"
else
	skip "free space: needs root to mount a small tmpfs"
	skip "(free space)"; skip "(free space)"; skip "(free space)"; skip "(free space)"
fi

# ---- temporaries of a killed export ----
mkdir "$T/out"
touch "$T/out/.other.jsonl.zst.abcdef" "$T/out/.o.jsonl.zst.abc" "$T/out/.o.jsonl.zst.ab-def"
# an export slow enough to catch: 3 million shuffled records
"$PROVEX" export "$S" -o "$T/out/o.jsonl.zst" --mix origin=real:0.5,synthetic:0.5 --total 3000000 \
	--max-repeat 1000000 --shuffle 2>/dev/null &
pid=$!
i=0
while [ $i -lt 400 ] && ! ls -A "$T/out" | grep -q '^\.o\.jsonl\.zst\.[A-Za-z0-9]\{6\}$'; do
	sleep 0.02; i=$((i + 1))
done
kill -STOP $pid 2>/dev/null
tmp=$(ls -A "$T/out" | grep '^\.o\.jsonl\.zst\.[A-Za-z0-9]\{6\}$')
[ -n "$tmp" ]
ok $? "a temporary while the export writes ($tmp)"
# another export to the same place while the first is alive: its temporary stays
pv export "$S" origin:real -o "$T/out/o.jsonl.zst" 2> "$T/err"
ok $? "a concurrent export to the same place"
test -f "$T/out/$tmp"
ok $? "... leaves the running export's temporary alone (it holds a lock)"
unlike "$(cat "$T/err")" "removed" "... and says it removed nothing"
rm -f "$T/out/o.jsonl.zst" "$T/out/o.jsonl.zst.manifest.json"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
test -f "$T/out/$tmp"
ok $? "kill -9 leaves the temporary"
pv export "$S" -o "$T/out/o.jsonl.zst" 2> "$T/err"
ok $? "the next export to the same place"
test ! -e "$T/out/$tmp"
ok $? "... removes the killed export's temporary"
like "$(cat "$T/err")" "removed 1 temporary file left in $T/out by an export that was stopped" "... and says so"
is "$(zstd -qdc "$T/out/o.jsonl.zst" | wc -l | tr -d ' ')" 10 "... and its output is complete"
is "$(ls -A "$T/out" | tr '\n' ' ')" ".o.jsonl.zst.ab-def .o.jsonl.zst.abc .other.jsonl.zst.abcdef o.jsonl.zst o.jsonl.zst.manifest.json " \
	"files of other names and shapes are kept"
# --format text: a folder left by a killed export
mkdir "$T/out/.t.Ab3dEf" && echo x > "$T/out/.t.Ab3dEf/1.txt"
pv export "$S" -o "$T/out/t" --format text 2>/dev/null
test ! -e "$T/out/.t.Ab3dEf" && test -f "$T/out/t/1.txt"
ok $? "--format text: a killed export's folder is removed"

# ---- metadata that is not valid JSON ----
M=$T/meta.pvx
pv index "$M" "$T/in.jsonl" --id-field id -q
sqlite3 "$M" "UPDATE docs SET meta='{\"m\": {\"x\": 1,'||char(10)||'  \"y\": [1,'||char(13,10,9)||'2]}}' WHERE id=1"
pv export "$M" 'id:1' -o "$T/pretty.jsonl" 2>/dev/null
is "$(lines "$T/pretty.jsonl")" 1 "metadata with line breaks between values: one line"
is "$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).read())["meta"])' "$T/pretty.jsonl")" \
	"{'m': {'x': 1, 'y': [1, 2]}}" "... holding the same value"
sqlite3 "$M" "UPDATE docs SET meta='{\"v\":\"x'||char(9)||'y\"}' WHERE id=2"
err=$(pv export "$M" -o "$T/bad.jsonl" 2>&1); st=$?
is $st 1 "metadata with a raw TAB in a string: refused"
like "$err" "meta.pvx: document 2 \(ext_id d2\): its stored metadata is not valid JSON \(.*control.*\)" \
	"names the document and the reason"
test ! -e "$T/bad.jsonl"
ok $? "nothing written"
sqlite3 "$M" "UPDATE docs SET meta='{\"v\": [1, 2' WHERE id=2"
err=$(pv export "$M" -o "$T/bad.jsonl" 2>&1); st=$?
is $st 1 "truncated metadata: refused"
pv export "$M" -o "$T/nometa.jsonl" --fields text,id 2>/dev/null
is "$(lines "$T/nometa.jsonl")" 10 "without the meta field the export goes on"

done_testing
