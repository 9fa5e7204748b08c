# lib.sh - helpers for command-line tests, sourced by tests/cli/*.sh.
#
# Tests speak TAP: ok/is/like print "ok N - name" or "not ok N - name";
# done_testing prints the plan.  pv runs provex ($PROVEX), under valgrind
# when PROVEX_VALGRIND is set (a leak or memory error makes it exit 99;
# PROVEX_VALGRIND_EVERY=N: one call in N, see _pv_pick).
# T is a fresh temporary folder, removed at exit.

set -u
# the reviewer's name comes from the settings file, USER or --reviewer as
# each test sets them, never from the developer's own PROVEX_REVIEWER
unset PROVEX_REVIEWER
PROVEX=${PROVEX:-$(pwd)/provex}
SHARED=${SHARED:-${top_srcdir:-.}/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/provex-test.XXXXXX")
# the pv call counter of PROVEX_VALGRIND_EVERY: beside T, not in it (tests
# look for files left in T)
_PVC=$T.pv-calls
# T goes when the test's own shell ends, not when one of its subshells does:
# bash (which runs the tests) may run an inherited EXIT trap in a
# background subshell that is killed, such as a guard `( sleep 5; kill
# PID ) &`, and remove T in the middle of the test
trap '[ "${BASHPID:-$$}" = "$$" ] && rm -rf "$T" "$_PVC"' EXIT
_n=0
_failed=0

# _pv_pick: whether this pv call runs under valgrind: every call, or with
# PROVEX_VALGRIND_EVERY=N the first of every N, counted across the test's
# subshells in the file $_PVC (CI's valgrind pass takes one in eight: each valgrind
# start costs about 0.7 s of CPU, and the sanitizer pass, LeakSanitizer
# included, runs every call)
_pv_pick() {
	_every=${PROVEX_VALGRIND_EVERY:-1}
	[ "$_every" -le 1 ] && return 0
	_c=$(cat "$_PVC" 2>/dev/null || echo 0)
	_c=$((_c + 1))
	echo "$_c" > "$_PVC"
	[ $(( (_c - 1) % _every )) -eq 0 ]
}

pv() {
	if [ -n "${PROVEX_VALGRIND:-}" ] && _pv_pick; then
		_t0=$(date +%s.%N)
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			--show-leak-kinds=definite,indirect "$PROVEX" "$@"
		_st=$?
		# PROVEX_TIMES=FILE: each run's seconds, to find the slow ones
		[ -n "${PROVEX_TIMES:-}" ] &&
			awk -v a="$_t0" -v b="$(date +%s.%N)" -v c="provex $*" \
				'BEGIN { printf "%.1f %s\n", b - a, c }' >> "$PROVEX_TIMES"
		# recorded in a file: pv often runs in a $(...) subshell
		[ $_st -eq 99 ] && echo "provex $*" >> "$T/.valgrind-errors"
		return $_st
	else
		"$PROVEX" "$@"
	fi
}

ok() {	# ok CONDITION-STATUS NAME: pass when the status is 0
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

is() {	# is GOT WANT NAME
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -20
		_failed=$((_failed + 1))
	fi
}

like() {	# like TEXT PATTERN NAME: grep -E pattern in text
	_n=$((_n + 1))
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		printf '#   text: %s\n#   does not match: %s\n' "$1" "$2" | head -20
		_failed=$((_failed + 1))
	fi
}

unlike() {	# unlike TEXT PATTERN NAME
	_n=$((_n + 1))
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		echo "not ok $_n - $3"
		printf '#   text: %s\n#   matches: %s\n' "$1" "$2" | head -20
		_failed=$((_failed + 1))
	else
		echo "ok $_n - $3"
	fi
}

skip() {	# skip REASON
	_n=$((_n + 1))
	echo "ok $_n # SKIP $1"
}

done_testing() {
	if [ -n "${PROVEX_VALGRIND:-}" ]; then
		if [ -s "$T/.valgrind-errors" ]; then
			ok 1 "valgrind found memory errors or leaks in: $(head -3 "$T/.valgrind-errors" | tr '\n' ';')"
		else
			if [ "${PROVEX_VALGRIND_EVERY:-1}" -gt 1 ]; then
				ok 0 "valgrind: no memory errors or leaks in the provex runs it watched (one in ${PROVEX_VALGRIND_EVERY} of its $(cat "$_PVC" 2>/dev/null || echo 0) runs and sessions)"
			else
				ok 0 "valgrind: no memory errors or leaks in any provex run"
			fi
		fi
	fi
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# json_get FILE-OR-TEXT KEY: a top-level number from a JSON object on stdin
json_num() {
	python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"
}
