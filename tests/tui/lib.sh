# lib.sh - driving provex's interface through tmux, as a person would:
# a fixed-size pane, keys typed with send-keys, the screen read back with
# capture-pane.  The one file the tmux tests (tests/tui/*.sh) source: it
# sources tests/cli/lib.sh (ok, is, like, pv, T) unless the test did
# already, and data.sh (tui_store, the 60-document store).  Command-line
# tests with a moment in the interface (demo.sh, readonly.sh, ...) source
# it after lib.sh.
#
#   tui_start 100 30 browse "$S"      start provex in a 100x30 pane
#   tui_keys j j Enter                type keys (tmux key names)
#   tui_wait 'pattern'                wait until the screen matches (grep -E);
#                                     the screen is left in $SCREEN
#   tui_until CMD...                  wait until CMD is true of a capture
#   tui_row N                         row N (0-based) of $SCREEN
#   tui_quit                          type q until provex ends; its exit
#                                     status is in $TUI_RC
#
# Under PROVEX_VALGRIND provex runs under valgrind (errors recorded as in
# lib.sh; with PROVEX_VALGRIND_EVERY=N, one session in N, counted with the
# pv calls) and waits are longer.

type done_testing > /dev/null 2>&1 || . "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/tui/data.sh"

if ! command -v tmux > /dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed (scripts/bootstrap installs it)"
	exit 0
fi

TUI_SOCK="$T/tmux.sock"
TUI_WAIT=${TUI_WAIT:-10}
[ -n "${PROVEX_VALGRIND:-}" ] && TUI_WAIT=90
SCREEN=
TUI_RC=

# the valgrind command a session's provex runs under (PROVEX_VALGRIND),
# its report in $T/valgrind.log
TUI_VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$T/valgrind.log"

tx() {
	tmux -S "$TUI_SOCK" -f /dev/null "$@"
}

tui_session() {	# tui_session WIDTH HEIGHT COMMAND: a new tmux server whose
	# one WIDTHxHEIGHT pane runs COMMAND (a shell command line)
	tx kill-server 2> /dev/null
	# a server still going away refuses the new session: try again
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		LANG=C.UTF-8 tx -u new-session -d -s pv -x "$1" -y "$2" "$3" \
			2> /dev/null && break
		sleep 0.1
	done
	tx set-option -t pv status off > /dev/null
	tx set-option -g escape-time 0 > /dev/null
	tx resize-window -t pv -x "$1" -y "$2" 2> /dev/null
}

tui_start() {	# tui_start WIDTH HEIGHT PROVEX-ARGS...
	_w=$1; _h=$2; shift 2
	rm -f "$T/tui.rc"
	{
		printf 'cd %s\n' "$(pwd)"
		printf 'export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=${TUI_TERM:-tmux-256color}\n'
		# (one session in PROVEX_VALGRIND_EVERY under valgrind, as pv's calls)
		if [ -n "${PROVEX_VALGRIND:-}" ] && _pv_pick; then
			printf '%s ' "$TUI_VALGRIND"
		fi
		printf '%s' "$PROVEX"
		for _a in "$@"; do
			printf " '%s'" "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")"
		done
		printf '\necho $? > %s/tui.rc\n' "$T"
	} > "$T/tui.cmd"
	tui_session "$_w" "$_h" "sh $T/tui.cmd"
}

tui_keys() {	# tui_keys KEY...: tmux key names (j, Enter, Escape, C-t, PageDown)
	for _k in "$@"; do
		tx send-keys -t pv "$_k"
	done
}

tui_type() {	# tui_type TEXT: literal text
	tx send-keys -t pv -l "$1"
}

tui_capture() {
	SCREEN=$(tx capture-pane -p -t pv 2> /dev/null)
}

tui_until() {	# tui_until COMMAND...: 0 when COMMAND succeeds on a fresh
	# capture (in $SCREEN) within the timeout, tried every 0.05 s
	_end=$(( $(date +%s) + TUI_WAIT ))
	while :; do
		tui_capture
		"$@" && return 0
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

tui_shows() {	# tui_shows PATTERN: $SCREEN matches PATTERN (grep -E)
	printf '%s\n' "$SCREEN" | grep -Eq -- "$1"
}

tui_hides() {	# tui_hides PATTERN: $SCREEN does not match PATTERN
	! tui_shows "$1"
}

tui_wait() {	# tui_wait PATTERN: 0 when the screen matches within the timeout
	tui_until tui_shows "$1"
}

tui_wait_gone() {	# tui_wait_gone PATTERN: 0 when the screen no longer matches
	tui_until tui_hides "$1"
}

tui_settle() {	# captures until two captures in a row are the same
	_pause=0.02
	[ -n "${PROVEX_VALGRIND:-}" ] && _pause=0.15
	_prev=
	_tries=0
	while [ $_tries -lt 50 ]; do
		tui_capture
		[ "$SCREEN" = "$_prev" ] && return 0
		_prev=$SCREEN
		sleep $_pause
		_tries=$((_tries + 1))
	done
}

tui_see() {	# tui_see PATTERN NAME: a test that the screen shows PATTERN
	# (on a settled screen: a capture can catch a half-drawn one)
	if tui_wait "$1" && tui_settle && tui_shows "$1"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		printf '%s\n' "$SCREEN" | sed 's/^/#   | /'
	fi
}

tui_see_gone() {	# tui_see_gone PATTERN NAME: the screen stops showing PATTERN
	if tui_wait_gone "$1" && tui_settle; then ok 0 "$2"; else ok 1 "$2"; fi
}

tui_row() {	# tui_row N: row N of the last capture
	printf '%s\n' "$SCREEN" | sed -n "$(( $1 + 1 ))p"
}

tui_status() {	# the bottom row of the last capture
	printf '%s\n' "$SCREEN" | tail -n 1
}

tui_db() {	# tui_db SQL: a query on the store $S as another process sees
	# it while provex runs (read-only: a writable connection closing would
	# checkpoint the WAL)
	sqlite3 -readonly "$S" "$1"
}

# tui_sgr_at N TEXT [COL]: the colour and attributes TEXT is drawn in, at
# its first occurrence in row N of a colour capture (capture-pane -e keeps
# the SGR sequences the terminal was sent): "fg=.. bg=.. attrs=..", or
# "absent".  With COL, the first occurrence after that column.
tui_sgr_at() {
	tx capture-pane -e -p -t pv | sed -n "$(( $1 + 1 ))p" | python3 -c 'import re, sys
row, text = sys.stdin.read(), sys.argv[1]
after = int(sys.argv[2]) if len(sys.argv) > 2 else 0
plain = re.sub(r"\x1b\[[0-9;]*m", "", row)
k = plain.find(text, after)
if k < 0:
    print("absent"); sys.exit()
fg, bg, at, seen = "default", "default", set(), 0
names = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 7: "reverse"}
for part in re.split(r"(\x1b\[[0-9;]*m)", row):
    m = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
    if not m:
        seen += len(part)
        if seen > k:
            break
        continue
    p = [int(x) if x else 0 for x in m.group(1).split(";")]
    i = 0
    while i < len(p):
        c = p[i]
        if c == 0: fg, bg, at = "default", "default", set()
        elif c in names: at.add(names[c])
        elif c == 22: at -= {"bold", "dim"}
        elif c in (23, 24, 27): at.discard({23: "italic", 24: "underline", 27: "reverse"}[c])
        elif 30 <= c <= 37 or 90 <= c <= 97: fg = str(c)
        elif 40 <= c <= 47 or 100 <= c <= 107: bg = str(c)
        elif c == 39: fg = "default"
        elif c == 49: bg = "default"
        elif c in (38, 48) and i + 2 < len(p) and p[i + 1] == 5:
            if c == 38: fg = "c%d" % p[i + 2]
            else: bg = "c%d" % p[i + 2]
            i += 2
        i += 1
print("fg=%s bg=%s attrs=%s" % (fg, bg, ",".join(sorted(at)) or "-"))' "$2" ${3:-}
}

tui_valgrind_error() {	# tui_valgrind_error WHAT: records that valgrind
	# found errors in the session WHAT (its report's start), as pv does
	echo "provex ($1) $(head -c 300 "$T/valgrind.log" 2>/dev/null)" >> "$T/.valgrind-errors"
}

tui_ended() {	# tui_ended: the provex of tui_start has ended
	[ -f "$T/tui.rc" ]
}

tui_quit() {	# quits provex (q until it ends); TUI_RC gets its exit status
	_end=$(( $(date +%s) + TUI_WAIT ))
	while ! tui_ended; do
		tx send-keys -t pv q 2> /dev/null
		sleep 0.2
		[ "$(date +%s)" -ge "$_end" ] && break
	done
	TUI_RC=$(cat "$T/tui.rc" 2> /dev/null || echo none)
	[ "$TUI_RC" = 99 ] && tui_valgrind_error interface
	tx kill-server 2> /dev/null
	return 0
}
