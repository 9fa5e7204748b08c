#!/bin/sh
# The first SIGINT or SIGTERM stops a command within a moment, also while it
# is blocked: opening a FIFO no one writes, reading a silent standard input,
# writing to a pipe no one reads.  Exit status 130 (SIGINT) or 143
# (SIGTERM); what was committed stays; the message says to run the same
# command again.  (provex runs without valgrind here: the times are measured.)
. "$top_srcdir/tests/cli/lib.sh"

# A background job of a non-interactive shell starts with SIGINT ignored;
# $WI CMD... runs CMD with SIGINT's default action, as a terminal's is, in
# the same process (so that $! is CMD's)
if env --default-signal=INT true 2>/dev/null; then
	WI="env --default-signal=INT"
else
	echo "# env --default-signal missing: SIGINT cases use SIGTERM"
	WI=env
fi
# blocked PID: waits (up to 5 s) until PID sleeps in one of the calls
# the test is about (opening a FIFO, reading or writing a pipe), as
# /proc/PID/wchan names them; a moment more where /proc says nothing
blocked() {
	_i=0
	while [ $_i -lt 50 ]; do
		case $(cat "/proc/$1/wchan" 2>/dev/null) in
		*wait_for_partner*|*pipe_read*|*pipe_write*|*fifo*|*nanosleep*) return 0 ;;
		esac
		[ -r "/proc/$1/wchan" ] || break
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 1
}

# stop SIG PID [DELAY]: sends SIG to PID once it is blocked (after DELAY
# seconds, 1.5 unless given, and once blocked() says so), waits for it;
# sets got to its status and whether it ended within 2 seconds ("130 fast")
stop() {
	sleep "${3:-1.5}"
	blocked "$2"
	[ "$WI" = env ] && [ "$1" = INT ] && set -- TERM "$2"
	t0=$(date +%s.%N)
	kill -"$1" "$2"
	( sleep 5; kill -9 "$2" 2>/dev/null ) &
	guard=$!
	wait "$2"
	st=$?
	kill $guard 2>/dev/null
	got="$st $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print (b - a < 2) ? "fast" : "slow " b - a }')"
}

python3 -c 'for i in range(1500): print("{\"text\": \"line %d of a document that is long enough to fill a pipe\"}" % i)' > "$T/in.jsonl"

# ---- index: a FIFO no one writes (blocked in open)
mkfifo "$T/fifo"
$WI "$PROVEX" index "$T/a.pvx" "$T/fifo" 2>"$T/a.err" &
stop TERM $!
is "$got" "143 fast" "index of a FIFO no one writes: SIGTERM stops it at once, status 143"
like "$(cat "$T/a.err")" "interrupted.*run the same command again" "and says to run the same command again"
$WI "$PROVEX" index "$T/a.pvx" "$T/fifo" 2>"$T/a.err" &
stop INT $!
is "$got" "130 fast" "index of a FIFO no one writes: SIGINT stops it at once, status 130"

# ---- index: a silent standard input (blocked in read)
# (the writers go through FIFOs: a shell's wait on a pipeline's last
# process waits for the whole pipeline)
mkfifo "$T/in1" "$T/in2" "$T/in3"
sleep 20 > "$T/in1" &
w1=$!
$WI "$PROVEX" index "$T/b.pvx" - < "$T/in1" 2>"$T/b.err" &
stop INT $!
is "$got" "130 fast" "index of a silent standard input: SIGINT stops it at once"
like "$(cat "$T/b.err")" "run the same command again" "and says to run the same command again"

# ---- index: records, then silence; the records read are kept
(cat "$T/in.jsonl"; sleep 20) > "$T/in2" &
w2=$!
$WI "$PROVEX" index "$T/c.pvx" - -q < "$T/in2" 2>"$T/c.err" &
stop TERM $! 5     # the records read first (slower under the sanitizers)
is "$got" "143 fast" "index of a pipe gone silent after 1,500 records: SIGTERM stops it"
is "$(sqlite3 "$T/c.pvx" 'SELECT count(*) FROM docs')" 1500 "the records read before are kept"
pv index "$T/c.pvx" "$T/in.jsonl" -q
ok $? "the store is usable afterwards"

# ---- index: a gzip stream gone silent halfway: none of it is kept
gzip -c < "$T/in.jsonl" > "$T/in.jsonl.gz"
(head -c $(( $(wc -c < "$T/in.jsonl.gz") / 2 )) "$T/in.jsonl.gz"; sleep 20) > "$T/in3" &
w3=$!
$WI "$PROVEX" index "$T/d.pvx" - < "$T/in3" 2>"$T/d.err" &
stop TERM $! 4
is "$got" "143 fast" "index of a gzip stream gone silent halfway: SIGTERM stops it"
is "$(if [ -e "$T/d.pvx" ]; then sqlite3 "$T/d.pvx" 'SELECT count(*) FROM docs'; else echo 0; fi)" 0 \
	"none of its unverified documents are kept"
like "$(cat "$T/d.err")" "interrupted before its end: the [0-9,]+ documents read from it were not kept" \
	"the message says how many were dropped"

# ---- index waiting for another writer's lock (SQLite's busy wait)
# (a process of its own holds the write lock, and says so once it does;
# its end, killed, gives the lock back with its transaction rolled back)
python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO meta VALUES(?, ?)", ("held", "by a test"))
open(sys.argv[2], "w").write("held\n")
time.sleep(60)' "$T/c.pvx" "$T/held" 2>"$T/held.err" &
holder=$!
_i=0
while [ $_i -lt 200 ] && [ ! -s "$T/held" ]; do
	sleep 0.1
	_i=$((_i + 1))
done
[ -s "$T/held" ] || echo "# the lock holder did not start: $(cat "$T/held.err")"
"$PROVEX" index "$T/c.pvx" "$T/in.jsonl" 2>"$T/e.err" &
stop TERM $!
is "$got" "143 fast" "index waiting for another writer's lock: SIGTERM stops it at once"
like "$(cat "$T/e.err")" "interrupted while waiting for another writer.*run the same command again" \
	"and says so"
kill $holder 2>/dev/null
wait $holder 2>/dev/null

# ---- reading commands writing to a pipe no one reads (blocked in write)
for cmd in "ls" "ls --json"; do
	rm -f "$T/out"
	mkfifo "$T/out"
	sleep 20 < "$T/out" &
	holder=$!
	$WI "$PROVEX" $cmd "$T/c.pvx" > "$T/out" 2>"$T/ls.err" &
	stop INT $!
	is "$got" "130 fast" "$cmd into a pipe no one reads: SIGINT stops it at once"
	[ "$got" = "130 fast" ] || sed 's/^/# /' "$T/ls.err"
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
done
rm -f "$T/out"
mkfifo "$T/out"
sleep 20 < "$T/out" &
holder=$!
"$PROVEX" ls "$T/c.pvx" > "$T/out" 2>"$T/ls.err" &
stop TERM $!
is "$got" "143 fast" "ls into a pipe no one reads: SIGTERM stops it at once"
[ "$got" = "143 fast" ] || sed 's/^/# /' "$T/ls.err"
kill $holder 2>/dev/null
wait $holder 2>/dev/null

# the writers of the FIFOs, and what they started
for w in $w1 $w2 $w3; do
	pkill -P $w 2>/dev/null
	kill $w 2>/dev/null
done
wait 2>/dev/null

done_testing
