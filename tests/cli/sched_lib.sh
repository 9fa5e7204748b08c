# sched_lib.sh - what the scheduler tests (sched_slurm.sh, sched_parallel.sh)
# share, sourced after lib.sh: the inputs of a set, the reference store
# indexed in one piece, and the checks of a set built by a scheduler's
# ranks against the set contract (README, "On a cluster"; doc/provex.1,
# CLUSTERS).

# Every index run of these tests, plain or sharded, reads the same fields.
SCHED_OPTS="--id-field id --origin-field o -q"
# PROVEX_RANK would win over the scheduler's own variable
unset PROVEX_RANK

# sched_need_shards: the whole test is skipped when provex index has no
# --world-size (a world size of 0 is refused by name when it has), and in
# the valgrind pass of scripts/bootstrap check: the scheduler is what these
# tests add, and it is the same in the sanitizer pass; the index runs of a
# rank are watched under valgrind by shards.sh
sched_need_shards() {
	if [ -n "${PROVEX_VALGRIND:-}" ] && [ -z "${PROVEX_SCHED_VALGRIND:-}" ]; then
		echo "1..0 # SKIP scheduler tests run in the sanitizer pass (PROVEX_SCHED_VALGRIND=1 runs them under valgrind too)"
		exit 0
	fi
	if ! "$PROVEX" index "$T/probe" --world-size 0 "$T" 2>&1 | grep -q -- '--world-size must'; then
		echo "1..0 # SKIP provex index has no --world-size in this build"
		exit 0
	fi
}

# sched_inputs DIR: seven JSONL files under DIR (two in a subfolder), 20
# documents, one text found in two files; prints nothing
sched_inputs() {
	mkdir -p "$1/sub"
	_i=0
	for f in a:3 b:1 e:2 f:5 g:2 sub/c:4 sub/d:3; do
		_name=${f%%:*}
		_k=${f#*:}
		: > "$1/$_name.jsonl"
		_r=0
		while [ $_r -lt "$_k" ]; do
			_i=$((_i + 1))
			if [ $((_i % 2)) -eq 0 ]; then _o=real; else _o=synthetic; fi
			printf '{"id":"%s-%d","o":"%s","text":"Document %d of %s, %d words or so."}\n' \
				"$(basename "$_name")" "$_r" "$_o" "$_i" "$_name" "$_i" >> "$1/$_name.jsonl"
			_r=$((_r + 1))
		done
	done
	echo '{"id":"copy","o":"real","text":"Document 1 of a, 1 words or so."}' >> "$1/sub/d.jsonl"
}

# sched_name R N: a shard's file name without its extension
sched_name() {
	printf 'shard-%05d-of-%05d' "$1" "$2"
}

# sched_dump STORE: ext_id|origin of every document, sorted
sched_dump() {
	sqlite3 -readonly "$1" "SELECT ext_id, origin FROM docs" | LC_ALL=C sort
}

# sched_check_set SET N INPUTS REFERENCE WHAT: the checks of a set of N
# shards built from the folder INPUTS, against REFERENCE (the plain store
# of the same inputs); WHAT names the run in the test names
sched_check_set() {
	_set=$1 _w=$2 _in=$3 _ref=$4 _what=$5
	# the listing, as the contract sorts it: names are unique here, so
	# a document's file is known by its input's base name
	find "$_in" -type f | LC_ALL=C sort > "$T/listing"
	_nfiles=$(wc -l < "$T/listing")
	: > "$T/union"
	_listings=""
	_bad=""
	_r=0
	while [ $_r -lt "$_w" ]; do
		_s=$_set/$(sched_name $_r "$_w")
		if [ ! -f "$_s.done" ] || [ ! -f "$_s.pvx" ]; then
			_bad="$_bad rank $_r: $(sched_name $_r "$_w").pvx or .done missing;"
			_r=$((_r + 1))
			continue
		fi
		# the marker: one JSON object on one line, its figures those of
		# the shard beside it
		_want_files=$(awk -v r=$_r -v n="$_w" '(NR - 1) % n == r' "$T/listing" | wc -l)
		_got=$(python3 - "$_s.done" "$_s.pvx" <<'PY'
import json, os, re, sqlite3, sys
lines = open(sys.argv[1]).read().splitlines()
m = json.loads(lines[0])
db = sqlite3.connect("file:" + sys.argv[2] + "?mode=ro", uri=True)
docs = db.execute("SELECT count(*) FROM docs").fetchone()[0]
texts = db.execute("SELECT count(*) FROM texts").fetchone()[0]
meta = dict(db.execute("SELECT key, value FROM meta WHERE key LIKE 'shard.%'"))
jm = db.execute("PRAGMA journal_mode").fetchone()[0]
ok = (len(lines) == 1 and m.get("provex_shard") == 1
      and re.fullmatch("[0-9a-f]{32}", m.get("listing", ""))
      and m.get("docs") == docs and m.get("texts") == texts
      and m.get("bytes") == os.path.getsize(sys.argv[2])
      and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", m.get("finished", ""))
      and m.get("host"))
print("%s rank=%s world=%s files=%s listing_files=%s meta=%s/%s/%s %s %s" % (
      "ok" if ok else "bad-marker:" + lines[0],
      m.get("rank"), m.get("world_size"), m.get("files"), m.get("listing_files"),
      meta.get("shard.rank"), meta.get("shard.world_size"),
      "same" if meta.get("shard.listing") == m.get("listing") else "other",
      jm, m.get("listing")))
PY
		) || _got="unreadable"
		_want="ok rank=$_r world=$_w files=$_want_files listing_files=$_nfiles meta=$_r/$_w/same delete"
		case $_got in
		"$_want "*) _listings="$_listings ${_got##* }" ;;
		*) _bad="$_bad rank $_r: got '$_got', want '$_want <listing>';" ;;
		esac
		# every id of the shard is its rank's, and is the contract's
		# (listing position + 1) * 10^9 + record + 1
		sqlite3 -readonly "$_s.pvx" \
			"SELECT d.id, d.rec, i.path FROM docs d JOIN inputs i ON i.id = d.input_id" \
			> "$T/ids"
		_wrong=$(awk -F'|' -v r=$_r -v n="$_w" '
			FILENAME == ARGV[1] { k = $0; sub(".*/", "", k); pos[k] = NR - 1; next }
			{ k = $3; sub(".*/", "", k)
			  if (!(k in pos) || $1 != (pos[k] + 1) * 1000000000 + $2 + 1 ||
			      (pos[k] % n) != r) print }' "$T/listing" "$T/ids" | head -3)
		[ -z "$_wrong" ] || _bad="$_bad rank $_r: ids not the contract's: $_wrong;"
		sched_dump "$_s.pvx" >> "$T/union"
		cut -d'|' -f1 "$T/ids" >> "$T/union-ids"
		_r=$((_r + 1))
	done
	is "$_bad" "" "$_what: every rank's shard and marker, with its rank, world size, files and the listing's digest"
	is "$(printf '%s\n' $_listings | sort | uniq -c | awk '{print $1}')" "$_w" \
		"$_what: the $_w markers name one listing"
	is "$(ls "$_set" | grep -c '^shard-.*\.pvx$')" "$_w" "$_what: $_w shards published, no other"
	is "$(find "$_set/.building" -type f 2>/dev/null | wc -l)" 0 "$_what: nothing left in .building"
	is "$(sort "$T/union-ids" | uniq -d | head -3)" "" "$_what: no id in two shards"
	rm -f "$T/union-ids"
	is "$(LC_ALL=C sort "$T/union" | md5sum)" "$(sched_dump "$_ref" | md5sum)" \
		"$_what: the shards' documents (ext_id, origin) are those of one plain provex index"
	is "$(wc -l < "$T/union")" "$(sqlite3 -readonly "$_ref" 'SELECT count(*) FROM docs')" \
		"$_what: as many documents as the plain store"
}

# sched_snapshot STORE: the documents of a shard with their ids and records,
# to compare a rank built again with the first
sched_snapshot() {
	sqlite3 -readonly "$1" "SELECT d.id, d.rec, d.ext_id, d.origin, hex(t.hash)
		FROM docs d JOIN texts t ON t.id = d.text_id ORDER BY d.id"
}
