#!/bin/sh
# Read-only places: every reading command works on a store in a folder the
# user cannot write (with or without a -wal file beside it), on read-only
# media and on a full disk, and leaves the store file as it was; a writing
# command there names what is not writable and says what to do.  Also:
# reading commands write nothing into a store (no statistics, no schema
# upgrade), an empty file and an old schema get messages that agree with
# what index then does, and index --strict says its error once and keeps
# no empty store it created.
#
# Runs as root in CI, where permission bits do not hold: the unprivileged
# runs go through setpriv as nobody.  Read-only media and the full disk are
# small tmpfs mounts (root only; skipped otherwise).
. "$top_srcdir/tests/cli/lib.sh"

cd "$T" || exit 1
chmod 755 "$T"
mkdir nohome
python3 -c '
import random
r = random.Random(3)
w = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
for i in range(40):
    o = "real" if i % 2 else "synthetic"
    print("{\"id\":\"d%d\",\"text\":\"%s %s\",\"origin\":\"%s\",\"generator\":\"%s\"}" % (i,
          " ".join(r.choice(w) for _ in range(12)),
          "human words" if o == "real" else "model output", o, "" if o == "real" else "g1"))
' > in.jsonl
first=$(head -n 1 in.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"], end="")')
pv index -q base.pvx in.jsonl --origin-field origin --generator-field generator
is "$(pv count base.pvx)" 40 "the store to read"

# ---- provex as a user who cannot write the store's folder
AS=
if [ "$(id -u)" -eq 0 ]; then
	if setpriv --reuid=nobody --regid=nogroup --clear-groups true 2> /dev/null; then
		AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	else
		AS=none
	fi
fi
pvro() {	# pvro ARGS...: provex as that user (under valgrind as pv does)
	if [ -n "${PROVEX_VALGRIND:-}" ]; then
		$AS env HOME="$T/nohome" XDG_CONFIG_HOME="$T/nohome" valgrind -q \
			--error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			--show-leak-kinds=definite,indirect "$PROVEX" "$@"
		_st=$?
		[ $_st -eq 99 ] && echo "provex $* (unprivileged)" >> "$T/.valgrind-errors"
		return $_st
	fi
	pvroq "$@"
}
# The same without valgrind, and pv's: for the runs repeated over many
# places (each place's own code path keeps a run under valgrind)
pvroq() {
	$AS env HOME="$T/nohome" XDG_CONFIG_HOME="$T/nohome" "$PROVEX" "$@"
}
pvq() {
	"$PROVEX" "$@"
}
state() {	# state STORE [file]: its bytes, its mtime and what lies beside
	# it (not with "file": readers make -wal and -shm files where they can)
	printf '%s %s\n' "$(sha256sum < "$1")" "$(stat -c %y "$1")"
	[ "${2:-}" = file ] || ls -A "$(dirname "$1")"
}
mkdir out && chmod 777 out

# reads RUN STORE WHAT [file]: every reading command works with RUN (pv or
# pvro) and leaves the store (and its folder, without "file") as they were
reads() {
	_r=$1; _s=$2; _w=$3; _k=${4:-}
	_before=$(state "$_s" $_k)
	is "$($_r count "$_s" 2>&1)" 40 "$_w: count"
	like "$($_r ls "$_s" 2>&1 | head -n 1)" '^1	in\.jsonl:1	synthetic' "$_w: ls"
	like "$($_r show "$_s" 2 2>&1)" 'origin +real' "$_w: show"
	is "$($_r cat "$_s" 1 2>&1)" "$first" "$_w: cat"
	like "$($_r info "$_s" 2>&1)" 'documents +40 ' "$_w: info"
	_o=$($_r history "$_s" 2>&1); _st=$?
	unlike "$_o" 'provex:' "$_w: history, no error"
	is $_st 0 "$_w: history, exit 0"
	like "$($_r stats "$_s" 2>&1)" 'synthetic +20 ' "$_w: stats"
	rm -f out/s.html out/e.jsonl out/e.jsonl.manifest.json
	$_r stats "$_s" --html out/s.html > /dev/null 2> out/err; _st=$?
	ok $(test $_st -eq 0 && test -s out/s.html && echo 0 || echo 1) \
		"$_w: stats --html to a writable place $(head -c 300 out/err)"
	$_r export "$_s" -o out/e.jsonl 2> out/err; _st=$?
	is "$_st $(wc -l < out/e.jsonl 2> /dev/null)" "0 40" \
		"$_w: export to a writable place $(head -c 300 out/err)"
	like "$($_r detect "$_s" --dry-run 2>&1)" '20 real and 20 synthetic' "$_w: detect --dry-run"
	_o=$($_r review "$_s" --report 2>&1); _st=$?
	is $_st 0 "$_w: review --report $(printf '%s' "$_o" | head -c 300)"
	_o=$($_r ls "$_s" has:pair 2>&1); _st=$?
	is "$_st $_o" "0 " "$_w: the pairs listing (ls has:pair)"
	is "$(state "$_s" $_k)" "$_before" "$_w: the store (and what lies beside it) is as it was"
}

# writes RUN STORE WHAT PATTERN: writing commands refuse, saying PATTERN
writes() {
	_r=$1; _s=$2; _w=$3; _p=$4
	_before=$(state "$_s")
	_o=$($_r label "$_s" 1 --set label=x 2>&1); _st=$?
	is $_st 1 "$_w: label exits 1"
	like "$_o" "$_p" "$_w: label says what is not writable"
	like "$_o" 'copy it to a folder you can write' "$_w: and what to do"
	unlike "$_o" 'readonly database|unable to open' "$_w: not SQLite's words"
	_o=$($_r index -q "$_s" in.jsonl 2>&1); _st=$?
	is "$_st" 1 "$_w: index exits 1"
	like "$_o" "$_p" "$_w: index says what is not writable"
	_o=$($_r undo "$_s" 2>&1)
	like "$_o" "$_p" "$_w: undo says what is not writable"
	_o=$($_r detect "$_s" 2>&1)
	like "$_o" "$_p" "$_w: detect (which saves scores) says what is not writable"
	_o=$($_r pairs -q "$_s" 2>&1)
	like "$_o" "$_p" "$_w: pairs (which stores pairs) says what is not writable"
	is "$(state "$_s")" "$_before" "$_w: the store was not touched"
}

if [ "$AS" = none ]; then
	skip "running as root without setpriv: cannot run as an unprivileged user"
else
	# a folder the user cannot write, the store file writable by all
	mkdir f1 && cp base.pvx f1/s.pvx && chmod 666 f1/s.pvx && chmod 555 f1
	reads pvro f1/s.pvx "a folder the user cannot write"
	like "$(pvro info f1/s.pvx 2>&1 > /dev/null)" 'read without locks' \
		"info notes that the store was read without locks"
	writes pvro f1/s.pvx "that folder" 'f1/s.pvx: its folder f1 is not writable'

	_o=$(pvroq index -q f1/new.pvx in.jsonl 2>&1)
	like "$_o" 'f1/new\.pvx: cannot create the store: its folder f1 is not writable' \
		"index of a new store in that folder names the folder"
	# a path with bytes that mean something in an SQLite URI
	mkdir 'f5 #?%' && cp base.pvx 'f5 #?%/s?x#y%41.pvx' && chmod 555 'f5 #?%'
	is "$(pvro count 'f5 #?%/s?x#y%41.pvx' 2>&1)" 40 \
		"a path with ' #?%' in a folder the user cannot write"

	# the store file read-only in a read-only folder
	mkdir f2 && cp base.pvx f2/s.pvx && chmod 444 f2/s.pvx && chmod 555 f2
	reads pvroq f2/s.pvx "a read-only file in a read-only folder"
	is "$(pvro count f2/s.pvx 2>&1)" 40 "a read-only file in a read-only folder: count"
	writes pvroq f2/s.pvx "that file" 'f2/s.pvx: the store file is not writable'

	# a -wal holding a transaction not yet in the store file, no -shm:
	# read from the -wal, not skipped (immutable=1 alone would skip it)
	mkdir w0 && cp base.pvx w0/s.pvx
	(cd w0 && sqlite3 s.pvx "PRAGMA wal_autocheckpoint=0" \
		"UPDATE docs SET label='walmark' WHERE id=3" \
		".shell mkdir ../f3 && cp s.pvx s.pvx-wal ../f3/") > /dev/null
	if [ -s f3/s.pvx-wal ] && [ ! -e f3/s.pvx-shm ]; then
		chmod 555 f3
		reads pvroq f3/s.pvx "a folder with a -wal and no -shm"
		is "$(pvro ls f3/s.pvx label:walmark 2>&1 | cut -f1)" 3 \
			"the change held in the -wal is read"
		writes pvroq f3/s.pvx "that file" 'f3/s.pvx: the store file is not writable'
		# the same with a -shm left beside them, neither writable
		# (a reader that may write the folder makes the -shm)
		mkdir f4 && cp f3/s.pvx f3/s.pvx-wal f4/ && "$PROVEX" count f4/s.pvx > /dev/null &&
			chmod 644 f4/* && chmod 555 f4
		is "$(ls f4)" "s.pvx
s.pvx-shm
s.pvx-wal" "a store with a -wal and a -shm that the user cannot write"
		reads pvroq f4/s.pvx "a -wal that cannot be checkpointed"
		is "$(pvro count f4/s.pvx label:walmark 2>&1)" 1 \
			"a -wal that cannot be checkpointed: its change is read"
	else
		skip "could not make a store with a -wal beside it (sqlite3)"
	fi

	# the interface: read-only, relabelling refused with a message
	if command -v tmux > /dev/null 2>&1; then
		. "$top_srcdir/tests/tui/lib.sh"
		printf '#!/bin/sh\nexec %s env HOME=%s XDG_CONFIG_HOME=%s %s "$@"\n' \
			"$AS" "$T/nohome" "$T/nohome" "$PROVEX" > asuser
		chmod 755 asuser
		_vg=${PROVEX_VALGRIND:-}; _pv=$PROVEX
		PROVEX_VALGRIND= PROVEX=$T/asuser
		before=$(state f1/s.pvx)
		tui_start 160 30 browse f1/s.pvx
		tui_see 'read-only: f1/s.pvx: its folder f1 is not writable' \
			"browse opens a store it cannot write, and says so"
		tui_see ' 1/40 *$' "and lists its documents"
		tui_keys r
		tui_see 'f1/s.pvx: the store is open read-only' \
			"a relabel key is refused with a message"
		tui_quit
		is "$TUI_RC" 0 "the interface ends normally"
		is "$(state f1/s.pvx)" "$before" "the interface left the store as it was"
		PROVEX_VALGRIND=$_vg PROVEX=$_pv
	else
		skip "tmux is not installed: the interface on a read-only store"
	fi
fi

# ---- read-only media and a full disk (tmpfs mounts, root only)
if [ "$(id -u)" -eq 0 ] && mkdir m && mount -t tmpfs -o size=8m tmpfs m 2> /dev/null; then
	cp base.pvx m/s.pvx
	mount -o remount,ro m
	reads pvq m/s.pvx "read-only media"
	is "$(pv count m/s.pvx 2>&1)" 40 "read-only media: count"
	_o=$(pv label m/s.pvx 1 --set label=x 2>&1)
	like "$_o" 'm/s.pvx: the store file is not writable \(Read-only file system\)' \
		"read-only media: label names the file and why"
	umount m
	mount -t tmpfs -o size=4m tmpfs m
	cp base.pvx m/s.pvx
	dd if=/dev/zero of=m/fill bs=64k 2> /dev/null
	_before=$(sha256sum < m/s.pvx)
	is "$(pv count m/s.pvx 2>&1)" 40 "a full disk: count"
	_o=$(pvq history m/s.pvx 2>&1); _st=$?
	is "$_st" 0 "a full disk: history works $(printf '%s' "$_o" | head -c 200)"
	like "$(pvq info m/s.pvx 2>&1)" 'documents +40 ' "a full disk: info"
	like "$(pvq ls m/s.pvx 2>&1 | head -n 1)" '^1	' "a full disk: ls"
	_o=$(pvq label m/s.pvx 1 --set label=x 2>&1)
	like "$_o" 'disk is full' "a full disk: label says the disk is full"
	is "$(sha256sum < m/s.pvx)" "$_before" "a full disk: the store is as it was"
	umount m
else
	skip "needs root to mount a tmpfs: read-only media and a full disk"
fi

# ---- reading commands write nothing into a writable store
cp base.pvx nostat.pvx
sqlite3 nostat.pvx 'DELETE FROM sqlite_stat1'
reads pvq nostat.pvx "a store without planner statistics" file
is "$(sqlite3 nostat.pvx 'SELECT count(*) FROM sqlite_stat1')" 0 \
	"reading commands wrote no statistics"

# ---- an empty file: not a store yet, and index makes it one
: > empty.pvx
_o=$(pv ls empty.pvx 2>&1); _st=$?
is $_st 1 "ls on an empty file exits 1"
like "$_o" 'empty\.pvx is an empty file, not a provex store yet .*provex index empty\.pvx' \
	"ls on an empty file says it is not a store yet and that index makes it one"
unlike "$_o" 'choose another store path' "and does not say index will refuse it"
pv index -q empty.pvx in.jsonl
is "$(pv count empty.pvx)" 40 "index makes the empty file a store, as ls said"

# ---- old schemas: the message says what index then does
cp base.pvx s0.pvx
sqlite3 s0.pvx 'PRAGMA user_version=0'
before=$(state s0.pvx file)
_o=$(pv ls s0.pvx 2>&1); _st=$?
is $_st 1 "ls on schema 0 exits 1"
like "$_o" 'schema version 0, from a provex too old for this one to upgrade' \
	"ls on schema 0: it cannot be upgraded"
like "$_o" 'index its inputs again into a new store' "and what to do instead"
unlike "$_o" 'to upgrade it' "and not that index would upgrade it"
_o=$(pv index -q s0.pvx in.jsonl 2>&1); _st=$?
is $_st 1 "index on schema 0 exits 1"
like "$_o" 'too old for this one to upgrade' "index says the same"
is "$(state s0.pvx file)" "$before" "schema 0: the store was left untouched"
# an older schema that can be upgraded: schema 4, before inputs.hash and
# inputs.prov (the upgrade's own checks are in tests/unit/test_label.c and
# test_browse.c).  Where the store can be written, a reading command
# upgrades it once, as it always did, and reads it; in a read-only place
# it is refused with what to do, and left as it was.
cur=$(sqlite3 base.pvx 'PRAGMA user_version')
cp base.pvx s4.pvx
sqlite3 s4.pvx 'ALTER TABLE inputs DROP COLUMN hash; ALTER TABLE inputs DROP COLUMN prov;
	PRAGMA user_version=4'
is "$(pv count s4.pvx 2>&1)" 40 "count on a schema-4 store it may write: upgraded, then read"
is "$(sqlite3 s4.pvx 'PRAGMA user_version')" "$cur" "and the store is at the current version"
is "$(sqlite3 s4.pvx "SELECT count(*) FROM pragma_table_info('inputs') WHERE name IN ('hash','prov')")" 2 \
	"with the columns the upgrade adds"
if [ "$AS" != none ]; then
	mkdir f4 && cp base.pvx f4/s.pvx
	sqlite3 f4/s.pvx 'ALTER TABLE inputs DROP COLUMN hash; ALTER TABLE inputs DROP COLUMN prov;
		PRAGMA user_version=4'
	chmod 644 f4/s.pvx && chmod 555 f4
	before=$(state f4/s.pvx)
	_o=$(pvro ls f4/s.pvx 2>&1); _st=$?
	is $_st 1 "ls on a schema-4 store in a folder the user cannot write exits 1"
	like "$_o" "older schema version 4.*copy the store to a folder you can write" \
		"ls there: upgrade it where it can be written, or a copy"
	is "$(state f4/s.pvx)" "$before" "ls there did not touch it"
fi

# ---- index --strict: one message, no empty store left
printf '{"text":"good"}\n{"nottext":1}\n' > bad.jsonl
_o=$(pv index --strict new.pvx bad.jsonl 2>&1); _st=$?
is $_st 1 "--strict on a bad record exits 1"
is "$(printf '%s\n' "$_o" | grep -c 'no "text" field')" 1 "--strict says the error once"
ok $(test -e new.pvx && echo 1 || echo 0) "--strict keeps no store it created and left empty"
like "$_o" 'new\.pvx: not kept' "and says so"
is "$(ls new.pvx* 2> /dev/null)" "" "no -wal or -shm either"
pv index -q new.pvx /nonexistent/in.jsonl 2> /dev/null
ok $(test -e new.pvx && echo 1 || echo 0) "an input that cannot be read: no empty store either"
cp base.pvx kept.pvx
pv index --strict kept.pvx bad.jsonl 2> /dev/null
is "$(pv count kept.pvx)" 40 "--strict failing on an existing store keeps it"
: > empty2.pvx
pv index -q --strict empty2.pvx bad.jsonl 2> /dev/null
ok $(test -e empty2.pvx && echo 1 || echo 0) \
	"an empty file made a store by a failed run is not left as an empty store"

done_testing
