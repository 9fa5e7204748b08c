#!/bin/sh
# provex export: formats, fields, samples, mixtures, shards, prefixes,
# duplicates, the manifest, determinism, output safety (existing files,
# missing or read-only folders, a full disk) and the round trip through
# provex index.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

cat > "$T/in.jsonl" <<'J'
{"id":"r1","text":"The GNU make manual explains rules.","origin":"real","source":"man/make","purpose":"docs"}
{"id":"r2","text":"Make, GNU style: a short note on building.","origin":"real","source":"doc/readme","purpose":"docs"}
{"id":"s1","text":"gnu make synthetic words about nothing","origin":"synthetic","source":"news/a","generator":"markov2","purpose":"pretrain"}
{"id":"s2","text":"A template letter.","origin":"synthetic","source":"news/b","generator":"template","purpose":"pretrain"}
{"id":"s3","text":"Another synthetic line,\nwith two lines.","origin":"synthetic","source":"news/b","generator":"template","purpose":"pretrain"}
{"id":"u1","text":"The GNU make manual explains rules.","origin":"unknown","source":"web"}
J
pv index "$S" "$T/in.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator --purpose-field purpose --keep-consumed -q
ok $? "index"

lines() { wc -l < "$1" | tr -d ' '; }
jq_() {	# jq_ FILE EXPR: a python expression over records r, one line each
	python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l); print(eval(sys.argv[2]))' "$1" "$2"
}
mget() {	# mget MANIFEST KEY.KEY...
	json_num "$2" < "$1"
}

# ---- formats ----
pv export "$S" -o "$T/a.jsonl" 2> "$T/err"
ok $? "export to JSONL"
is "$(lines "$T/a.jsonl")" 5 "one record per document, the duplicate text once"
like "$(cat "$T/err")" "1 duplicate documents skipped" "the summary counts skipped duplicates"
is "$(jq_ "$T/a.jsonl" 'r["ext_id"]' | tr '\n' ' ')" "r1 r2 s1 s2 s3 " "in id order"
is "$(jq_ "$T/a.jsonl" '",".join(r.keys())' | sort -u)" \
	"text,origin,source,generator,purpose,label,note,id,ext_id,meta" "every field by default"
is "$(jq_ "$T/a.jsonl" 'r["text"]' | sed -n 6p)" "with two lines." "texts intact"
is "$(jq_ "$T/a.jsonl" 'r["generator"]' | sed -n 1p)" "None" "a missing field is null"
is "$(jq_ "$T/a.jsonl" 'r["meta"]["source"]' | sed -n 1p)" "man/make" "meta is the metadata object"
test -f "$T/a.jsonl.manifest.json"
ok $? "a manifest next to the output"
is "$(mget "$T/a.jsonl.manifest.json" files | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[0]["sha256"])')" \
	"$(sha256sum < "$T/a.jsonl" | cut -d' ' -f1)" "the manifest holds the file's SHA-256"
is "$(mget "$T/a.jsonl.manifest.json" records)" 5 "manifest: records"
is "$(mget "$T/a.jsonl.manifest.json" duplicates_skipped)" 1 "manifest: duplicates skipped"
is "$(mget "$T/a.jsonl.manifest.json" by.origin.real.records)" 2 "manifest: counts by origin"
is "$(mget "$T/a.jsonl.manifest.json" by.source.news/b.bytes)" 57 "manifest: bytes by source"
is "$(mget "$T/a.jsonl.manifest.json" by.purpose.pretrain.records)" 3 "manifest: counts by purpose"
is "$(mget "$T/a.jsonl.manifest.json" by.generator.template.records)" 2 "manifest: counts by generator"
is "$(mget "$T/a.jsonl.manifest.json" store_state.documents)" 6 "manifest: documents in the store"
is "$(mget "$T/a.jsonl.manifest.json" store_state.history_position)" 0 "manifest: history position"
like "$(cat "$T/a.jsonl.manifest.json")" '"command": \["export", ".*", "-o", ' "manifest: the command as given"

pv export "$S" -o "$T/k.jsonl" --keep-dups 2>/dev/null
is "$(lines "$T/k.jsonl")" 6 "--keep-dups writes every document"

pv export "$S" -o "$T/a.jsonl.gz" 2>/dev/null
ok $? "export to .jsonl.gz"
is "$(gzip -dc "$T/a.jsonl.gz" | cmp - "$T/a.jsonl" && echo same)" same "gzip: the same records"
is "$(od -An -tx1 -j4 -N4 "$T/a.jsonl.gz" | tr -d ' ')" 00000000 "gzip: no timestamp in the header"
pv export "$S" -o "$T/a.jsonl.zst" 2>/dev/null
ok $? "export to .jsonl.zst"
is "$(zstd -qdc "$T/a.jsonl.zst" | cmp - "$T/a.jsonl" && echo same)" same "zstd: the same records"
pv export "$S" -o "$T/plain.out" --format jsonl.gz 2>/dev/null
is "$(gzip -dc "$T/plain.out" | lines /dev/stdin)" 5 "--format overrides the extension"

pv export "$S" -o "$T/txt" --format text 2>/dev/null
ok $? "--format text"
is "$(ls "$T/txt" | tr '\n' ' ')" "1.txt 2.txt 3.txt 4.txt 5.txt " "one file per document, named by id"
is "$(cat "$T/txt/5.txt")" "$(printf 'Another synthetic line,\nwith two lines.')" "text files hold the exact text"
like "$(cat "$T/txt.manifest.json")" '"path": "txt/3.txt", "bytes": 38, "sha256": "[0-9a-f]{64}"' \
	"text manifest: each file's SHA-256"

# ---- determinism ----
mkdir "$T/d1" "$T/d2"
(cd "$T/d1" && pv export "$S" 'origin:real,synthetic' -o o.jsonl.gz --mix origin=real:0.6,synthetic:0.4 \
	--total 9 --seed 3 --shards 2 --prefix '[{origin}]\n' 2>/dev/null)
(cd "$T/d2" && pv export "$S" 'origin:real,synthetic' -o o.jsonl.gz --mix origin=real:0.6,synthetic:0.4 \
	--total 9 --seed 3 --shards 2 --prefix '[{origin}]\n' 2>/dev/null)
is "$(cd "$T/d1" && ls | tr '\n' ' ')" \
	"o-00000-of-00002.jsonl.gz o-00001-of-00002.jsonl.gz o.jsonl.gz.manifest.json " "shard names"
same=yes
for f in $(cd "$T/d1" && ls); do cmp -s "$T/d1/$f" "$T/d2/$f" || same=no; done
is $same yes "the same command writes byte-identical output and manifest"
(cd "$T/d1" && pv export "$S" -o t.jsonl.zst --sample 3 --seed 5 2>/dev/null)
(cd "$T/d2" && pv export "$S" -o t.jsonl.zst --sample 3 --seed 5 2>/dev/null)
cmp -s "$T/d1/t.jsonl.zst" "$T/d2/t.jsonl.zst" && cmp -s "$T/d1/t.jsonl.zst.manifest.json" \
	"$T/d2/t.jsonl.zst.manifest.json"
ok $? "zstd output and manifest are deterministic"

# ---- fields, filter, prefix ----
pv export "$S" origin:synthetic -o "$T/f.jsonl" --fields text,origin,id 2>/dev/null
is "$(jq_ "$T/f.jsonl" '",".join(r.keys())' | sort -u)" "text,origin,id" "--fields chooses the fields"
is "$(lines "$T/f.jsonl")" 3 "a filter selects the documents"
is "$(mget "$T/f.jsonl.manifest.json" filter_canonical)" "origin:synthetic" "manifest: the filter's canonical form"
pv export "$S" -o "$T/p.jsonl" --prefix '<doc origin={origin} purpose={purpose} id={id}>\n' 2>/dev/null
is "$(jq_ "$T/p.jsonl" 'r["text"].split("\n")[0]' | sed -n 1,2p | tr '\n' '|')" \
	"<doc origin=real purpose=docs id=1>|<doc origin=real purpose=docs id=2>|" "--prefix header before each text"
is "$(jq_ "$T/p.jsonl" 'r["text"].split("\n",1)[1]' | sed -n 1p)" "The GNU make manual explains rules." \
	"--prefix: the text follows"
pv export "$S" -o "$T/pt" --format text --prefix '{source}|' 2>/dev/null
is "$(cat "$T/pt/1.txt")" "man/make|The GNU make manual explains rules." "--prefix with --format text"
err=$(pv export "$S" -o "$T/bad.jsonl" --prefix '{colour}' 2>&1); st=$?
is $st 2 "--prefix with an unknown field: exit 2"
like "$err" "unknown field \{colour\}" "names it"

# ---- samples ----
pv export "$S" -o "$T/s1.jsonl" --sample 3 --seed 1 2>/dev/null
is "$(lines "$T/s1.jsonl")" 3 "--sample 3"
ids=$(jq_ "$T/s1.jsonl" 'r["id"]' | tr '\n' ' ')
is "$ids" "$(jq_ "$T/s1.jsonl" 'r["id"]' | sort -n | tr '\n' ' ')" "a sample in id order"
pv export "$S" -o "$T/s2.jsonl" --sample 3 --seed 1 2>/dev/null
is "$(jq_ "$T/s2.jsonl" 'r["id"]' | tr '\n' ' ')" "$ids" "the same seed, the same sample"
pv export "$S" -o "$T/s3.jsonl" --sample 100 2>/dev/null
is "$(lines "$T/s3.jsonl")" 5 "a sample larger than the store: everything once"
pv export "$S" -o "$T/fr.jsonl" --fraction 0.4 --seed 2 2>/dev/null
is "$(lines "$T/fr.jsonl")" 2 "--fraction 0.4 of 5"
is "$(mget "$T/fr.jsonl.manifest.json" seed)" 2 "manifest: the seed"
err=$(pv export "$S" -o "$T/bad.jsonl" --fraction 1.5 2>&1); is $? 2 "--fraction above 1: exit 2"
err=$(pv export "$S" -o "$T/bad.jsonl" --sample 0 2>&1); is $? 2 "--sample 0: exit 2"
err=$(pv export "$S" -o "$T/bad.jsonl" --sample 2 --fraction 0.5 2>&1); is $? 2 "--sample with --fraction: exit 2"

# ---- mixtures ----
pv export "$S" -o "$T/m.jsonl" --mix origin=real:0.7,synthetic:0.3 --total 10 2> "$T/err"
ok $? "--mix"
is "$(jq_ "$T/m.jsonl" 'r["origin"]' | sort | uniq -c | awk '{printf "%s %s,", $1, $2}')" \
	"7 real,3 synthetic," "exact proportions: 7 real, 3 synthetic"
is "$(jq_ "$T/m.jsonl" 'r["id"]' | sort | uniq -c | awk '$2<=2 {print $1}' | tr '\n' ' ')" "4 3 " \
	"2 real documents repeated evenly (4 and 3 times)"
like "$(cat "$T/err")" "real +2 +7 +70\.0% +7 +70\.0% +3\.50" "summary: available, asked, share, written, share, repeat factor"
like "$(cat "$T/err")" "synthetic +3 +3 +30\.0% +3 +30\.0% +1\.00" "summary: a group written once"
is "$(mget "$T/m.jsonl.manifest.json" mix.groups | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[0]["repeat"])')" \
	3.5 "manifest: repeat factors"
pv export "$S" -o "$T/m2.jsonl" --mix source=man/make:0.5,news/b:0.5 --total 6 --max-repeat 2 2> "$T/err"
ok $? "--mix with --max-repeat"
is "$(lines "$T/m2.jsonl")" 5 "the cap leaves the small group short"
like "$(cat "$T/err")" "man/make: 1 records short of its share \(3 asked; --max-repeat 2\)" "reports the shortfall"
is "$(mget "$T/m2.jsonl.manifest.json" mix.groups | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[0]["shortfall"])')" \
	1 "manifest: the shortfall"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix origin=real:0.5,synthetic:0.4 --total 10 2>&1); st=$?
is $st 2 "shares that do not add up: exit 2"
like "$err" "add up to 0\.9" "says so"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix source=man/make:0.5,nowhere:0.5 --total 10 2>&1); st=$?
is $st 2 "a group without documents: exit 2"
like "$err" "no document has nowhere" "names it"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix colour=red:1 --total 10 2>&1); st=$?
is $st 2 "an unknown mix field: exit 2"
like "$err" "cannot mix on 'colour'" "names it"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix origin=real:1 --total 0 2>&1); st=$?
is $st 2 "a zero total: exit 2"
like "$err" "positive" "says it must be positive"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix origin=real:1 --total -3 2>&1); is $? 2 "a negative total: exit 2"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix origin=real:1 2>&1); is $? 2 "--mix without --total: exit 2"
err=$(pv export "$S" -o "$T/bad.jsonl" --mix origin=real 2>&1); is $? 2 "--mix group without a share: exit 2"
err=$(pv export "$S" -o "$T/bad.jsonl" --total 5 2>&1); is $? 2 "--total without --mix: exit 2"
test ! -e "$T/bad.jsonl" && test ! -e "$T/bad.jsonl.manifest.json"
ok $? "nothing written after usage errors"

# ---- shards ----
pv export "$S" -o "$T/sh.jsonl" --shards 3 2> "$T/err"
ok $? "--shards 3"
is "$(for k in 0 1 2; do lines "$T/sh-0000$k-of-00003.jsonl"; done | tr '\n' ' ')" "2 2 1 " \
	"records split evenly"
is "$(jq_ "$T/sh-00001-of-00003.jsonl" 'r["id"]' | tr '\n' ' ')" "2 5 " "round-robin"
is "$(cat "$T"/sh-*.jsonl | sort | cmp - "$(sort "$T/a.jsonl" > "$T/as"; echo "$T/as")" && echo same)" same \
	"the shards hold every record once"
like "$(cat "$T/sh.jsonl.manifest.json")" '"path": "sh-00002-of-00003.jsonl", "records": 1' "manifest lists each shard"
test ! -e "$T/sh.jsonl"
ok $? "no unsharded file"
err=$(pv export "$S" -o "$T/sh.jsonl" --shards 3 2>&1); st=$?
is $st 1 "existing shards are refused"
like "$err" "sh-00000-of-00003.jsonl: already exists" "names the shard"

# ---- invalid UTF-8 ----
printf 'caf\351 au lait\n' > "$T/latin1.txt"
S2=$T/bad.pvx
pv index "$S2" "$T/latin1.txt" --origin real -q
pv export "$S2" -o "$T/u.jsonl" 2> "$T/err"
like "$(cat "$T/err")" "1 documents held invalid UTF-8: invalid bytes written as U\+FFFD" "invalid UTF-8: never silent"
is "$(jq_ "$T/u.jsonl" 'hex(ord(r["text"][3]))')" "0xfffd" "invalid bytes become U+FFFD"
is "$(mget "$T/u.jsonl.manifest.json" invalid_utf8_documents)" 1 "manifest: invalid UTF-8 count"
pv export "$S2" -o "$T/ut" --format text 2>/dev/null
cmp -s "$T/ut/1.txt" "$T/latin1.txt"
ok $? "--format text writes the exact bytes"

# ---- output safety ----
err=$(pv export "$S" -o "$T/a.jsonl" 2>&1); st=$?
is $st 1 "an existing output is refused"
like "$err" "a.jsonl: already exists \(--force replaces it\)" "says how to replace it"
pv export "$S" origin:real -o "$T/a.jsonl" --force 2>/dev/null
is "$(lines "$T/a.jsonl")" 2 "--force replaces it"
pv export "$S" -o "$T/txt" --format text 2>/dev/null; is $? 1 "an existing folder is refused"
pv export "$S" origin:real -o "$T/txt" --format text --force 2>/dev/null
is "$(ls "$T/txt" | tr '\n' ' ')" "1.txt 2.txt " "--force replaces the folder"
echo x > "$T/lone.jsonl.manifest.json"
err=$(pv export "$S" -o "$T/lone.jsonl" 2>&1); is $? 1 "an existing manifest is refused"
test ! -e "$T/lone.jsonl"; ok $? "... and nothing is written"
err=$(pv export "$S" -o "$T/nowhere/x.jsonl" 2>&1); st=$?
is $st 1 "a folder that does not exist: exit 1"
like "$err" "$T/nowhere: the output folder does not exist" "names the folder"
mkdir "$T/ro"
if [ "$(id -u)" -eq 0 ]; then
	if mount -t tmpfs -o ro,size=64k tmpfs "$T/ro" 2>/dev/null; then
		err=$(pv export "$S" -o "$T/ro/x.jsonl" 2>&1); st=$?
		umount "$T/ro"
		is $st 1 "a read-only folder: exit 1"
		like "$err" "$T/ro: the output folder is not writable" "names the folder"
	else
		skip "cannot mount a read-only tmpfs"; skip "(read-only folder)"
	fi
else
	chmod 555 "$T/ro"
	err=$(pv export "$S" -o "$T/ro/x.jsonl" 2>&1); st=$?
	chmod 755 "$T/ro"
	is $st 1 "a folder that is not writable: exit 1"
	like "$err" "$T/ro: the output folder is not writable" "names the folder"
fi
err=$(pv export "$S" -o "$T/x.txt" 2>&1); is $? 2 "an unknown extension: exit 2"
like "$err" "cannot tell the format" "says so"
err=$(pv export "$S" 2>&1); is $? 2 "no -o: exit 2"
err=$(pv export "$S" 'origin:(' -o "$T/y.jsonl" 2>&1); is $? 2 "a bad filter: exit 2"
err=$(pv export "$S" -o "$T/y.jsonl" --fields text,colour 2>&1); is $? 2 "an unknown --fields name: exit 2"
err=$(pv export "$S" -o "$T/y" --format text --shards 2 2>&1); is $? 2 "--shards with --format text: exit 2"
pv export --help | grep -q 'U+FFFD'; ok $? "--help says what happens to invalid UTF-8"
is "$(ls -A "$T" | grep -c '^\.')" 0 "no temporary files left anywhere"

# a full disk: a tmpfs too small for the output
if [ "$(id -u)" -eq 0 ] && mkdir "$T/full" && mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	python3 -c 'import random
r = random.Random(1)
for i in range(40):
    print("{\"text\": \"%s\"}" % "".join(r.choice("abcdefghij klmnop") for _ in range(5000)))' > "$T/big.jsonl"
	pv index "$T/big.pvx" "$T/big.jsonl" --origin real -q
	err=$(pv export "$T/big.pvx" -o "$T/full/big.jsonl" 2>&1); st=$?
	is $st 1 "more than the free space: refused"
	like "$err" "big.jsonl: this export would write 40 records \(40 documents, up to 1 copies each\), about 2[0-9.]+ KB, and the file system of $T/full has [0-9.]+ KB free" \
		"says how much it would write and how much space there is"
	err=$(pv export "$T/big.pvx" -o "$T/full/big.jsonl" --force 2>&1); st=$?
	is $st 1 "a full disk: exit 1"
	like "$err" "big.jsonl: No space left on device" "a clear error"
	is "$(ls -A "$T/full" | tr '\n' ' ')" "" "no file under the final name, no temporaries"
	err=$(pv export "$T/big.pvx" -o "$T/full/bigt" --format text --force 2>&1); st=$?
	is $st 1 "a full disk, --format text: exit 1"
	is "$(ls -A "$T/full" | tr '\n' ' ')" "" "--format text: no folder left"
	umount "$T/full"
else
	skip "full disk: needs root to mount a small tmpfs"
	skip "(full disk)"; skip "(full disk)"; skip "(full disk)"; skip "(full disk)"
	skip "(full disk)"; skip "(full disk)"
fi

# ---- a larger store: many batches and pieces, the same bytes every way ----
python3 -c 'import json, random
r = random.Random(7)
words = ["alpha", "beta", "gamma", "caf\u00e9", "na\u00efve", "\"q\"", "a\tb", "b\\s", "\u0001", "line\n"]
for i in range(2000):
    n = 300000 if i % 500 == 7 else r.randint(10, 2500)
    t, size = [], 0
    while size < n:
        w = r.choice(words); t.append(w); size += len(w) + 1
    print(json.dumps({"id": "b%d" % i, "text": " ".join(t), "origin": "synthetic" if i % 3 == 0 else "real",
                      "source": "s%d" % (i % 5)}))' > "$T/large.jsonl"
L=$T/large.pvx
pv index "$L" "$T/large.jsonl" --id-field id --origin-field origin --source-field source -q
pv export "$L" -o "$T/L.jsonl" --keep-dups 2>/dev/null
ok $? "a larger export"
same_records() {	# same_records INPUT EXPORT [ORIGIN]: the records, in order, texts exact
	python3 -c 'import json, sys
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
if len(sys.argv) > 3: want = [w for w in want if w["origin"] == sys.argv[3]]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
ok = len(got) == len(want) and all(g["ext_id"] == w["id"] and g["text"] == w["text"] and
    g["origin"] == w["origin"] and g["source"] == w["source"] for g, w in zip(got, want))
print("same" if ok else "differ: %d and %d records" % (len(got), len(want)))' "$@"
}
is "$(same_records "$T/large.jsonl" "$T/L.jsonl")" same "every record, in order, texts exact"
is "$(mget "$T/L.jsonl.manifest.json" files | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[0]["sha256"])')" \
	"$(sha256sum < "$T/L.jsonl" | cut -d' ' -f1)" "a larger export: the manifest's SHA-256"
pv export "$L" -o "$T/L.jsonl.gz" --keep-dups 2>/dev/null && pv export "$L" -o "$T/L.jsonl.zst" --keep-dups 2>/dev/null
ok $? "a larger export, compressed"
is "$(gzip -dc "$T/L.jsonl.gz" | cmp - "$T/L.jsonl" && zstd -qdc "$T/L.jsonl.zst" | cmp - "$T/L.jsonl" && echo same)" same \
	"gzip and zstd: the same records"
pv export "$L" -o "$T/L2.jsonl.zst" --keep-dups 2>/dev/null
cmp -s "$T/L.jsonl.zst" "$T/L2.jsonl.zst"
ok $? "a larger zstd export is deterministic"
pv export "$L" -o "$T/Ls.jsonl" --keep-dups --shards 3 2>/dev/null
is "$(python3 -c 'import sys, itertools
sh = [open(f, "rb").read().splitlines(True) for f in sys.argv[2:]]
whole = b"".join(l for t in itertools.zip_longest(*sh) for l in t if l)
print("same" if whole == open(sys.argv[1], "rb").read() else "differ")' "$T/L.jsonl" \
	"$T/Ls-00000-of-00003.jsonl" "$T/Ls-00001-of-00003.jsonl" "$T/Ls-00002-of-00003.jsonl")" same \
	"shards: round-robin, the same records"
pv export "$L" origin:synthetic -o "$T/Lsyn.jsonl" --keep-dups 2>/dev/null
is "$(same_records "$T/large.jsonl" "$T/Lsyn.jsonl" synthetic)" same "a filter matching a third: in id order"
pv export "$L" 'origin:real len:<100' -o "$T/Lshort.jsonl" --keep-dups 2>/dev/null
is "$(jq_ "$T/Lshort.jsonl" 'r["id"]' | sort -n -c 2>&1 && echo sorted)" sorted "a filter walked by index: in id order"
is "$(jq_ "$T/Lshort.jsonl" 'r["origin"] == "real" and len(r["text"].encode()) < 100' | sort -u)" True \
	"... and only what it matches"
pv export "$L" -o "$T/Lsample.jsonl" --sample 300 --seed 4 2>/dev/null
is "$(jq_ "$T/Lsample.jsonl" 'r["id"]' | sort -n -u -c 2>&1 && lines "$T/Lsample.jsonl")" 300 "a sample: 300, in id order"

# ---- round trip ----
pv label "$S" 'origin:synthetic' --set label=keep --yes -q >/dev/null 2>&1 ||
	pv label "$S" 'origin:synthetic' --set label=keep --yes >/dev/null 2>&1
pv export "$S" -o "$T/rt.jsonl" --keep-dups 2>/dev/null
ok $? "export the whole store"
like "$(cat "$T/rt.jsonl.manifest.json")" '"history_position": [1-9]' "manifest: the history position after labelling"
is "$(jq_ "$T/rt.jsonl" 'r["label"]' | tr '\n' ' ')" "None None keep keep keep None " \
	"labels are exported"
pv index "$T/rt.pvx" "$T/rt.jsonl" --origin-field origin --source-field source \
	--generator-field generator --purpose-field purpose --label-field label \
	--note-field note -q
ok $? "index the export into a new store"
is "$(sqlite3 "$T/rt.pvx" "SELECT group_concat(coalesce(label,'-'),' ') FROM docs")" \
	"$(sqlite3 "$S" "SELECT group_concat(coalesce(label,'-'),' ') FROM docs")" "the same labels"
prov() {	# prov STORE: origin source generator purpose of each document
	pv ls "$1" --json | python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l); print(r["origin"], r["source"], r["generator"], r["purpose"])'
}
is "$(prov "$T/rt.pvx")" "$(prov "$S")" "the same provenance"
same=yes
n=$(pv count "$S")
i=1
while [ $i -le "$n" ]; do
	pv cat "$S" $i > "$T/t1"; pv cat "$T/rt.pvx" $i > "$T/t2"
	cmp -s "$T/t1" "$T/t2" || same=no
	i=$((i + 1))
done
is $same yes "the same texts, byte for byte"
is "$(pv count "$T/rt.pvx")" "$n" "the same number of documents"

# a target that is not a regular file is refused, never renamed over (as
# root, -o /dev/null --force would have replaced the device with a file)
mkfifo "$T/fifo"
err=$(pv export "$S" -o "$T/fifo" --format jsonl --force 2>&1); st=$?
is $st 2 "export -o FIFO --force: a usage error"
like "$err" "not a regular file" "says why"
ok $([ -p "$T/fifo" ]; echo $?) "the FIFO is still a FIFO"

done_testing
