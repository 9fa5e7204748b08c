# tui_lib.sh - driving provex's interface through tmux, as a person would:
# a fixed-size pane, keys typed with send-keys, the screen read back with
# capture-pane.  Sourced after lib.sh by tests/cli/tui_*.sh.
#
#   tui_start 100 30 browse "$S"      start provex in a 100x30 pane
#   tui_keys j j Enter                type keys (tmux key names)
#   tui_wait 'pattern'                wait until the screen matches (grep -E);
#                                     the screen is left in $SCREEN
#   tui_row N                         row N (0-based) of $SCREEN
#   tui_quit                          type q until provex ends; its exit
#                                     status is in $TUI_RC
#
# Under PROVEX_VALGRIND provex runs under valgrind (errors recorded as in
# lib.sh; with PROVEX_VALGRIND_EVERY=N, one session in N, counted with the
# pv calls) and waits are longer.

if ! command -v tmux > /dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed (scripts/bootstrap installs it)"
	exit 0
fi

TUI_SOCK="$T/tmux.sock"
TUI_WAIT=${TUI_WAIT:-10}
[ -n "${PROVEX_VALGRIND:-}" ] && TUI_WAIT=90
SCREEN=
TUI_RC=

tx() {
	tmux -S "$TUI_SOCK" -f /dev/null "$@"
}

tui_start() {	# tui_start WIDTH HEIGHT PROVEX-ARGS...
	_w=$1; _h=$2; shift 2
	rm -f "$T/tui.rc"
	{
		printf 'cd %s\n' "$(pwd)"
		printf 'export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=${TUI_TERM:-tmux-256color}\n'
		# (one session in PROVEX_VALGRIND_EVERY under valgrind, as pv's calls)
		if [ -n "${PROVEX_VALGRIND:-}" ] && _pv_pick; then
			printf 'valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=%s/valgrind.log ' "$T"
		fi
		printf '%s' "$PROVEX"
		for _a in "$@"; do
			printf " '%s'" "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")"
		done
		printf '\necho $? > %s/tui.rc\n' "$T"
	} > "$T/tui.cmd"
	tx kill-server 2> /dev/null
	LANG=C.UTF-8 tx -u new-session -d -s pv -x "$_w" -y "$_h" "sh $T/tui.cmd"
	tx set-option -t pv status off > /dev/null
	tx set-option -g escape-time 0 > /dev/null
	tx resize-window -t pv -x "$_w" -y "$_h" 2> /dev/null
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

tui_wait() {	# tui_wait PATTERN: 0 when the screen matches within the timeout
	_end=$(( $(date +%s) + TUI_WAIT ))
	while :; do
		tui_capture
		if printf '%s\n' "$SCREEN" | grep -Eq -- "$1"; then
			return 0
		fi
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

tui_wait_gone() {	# tui_wait_gone PATTERN: 0 when the screen no longer matches
	_end=$(( $(date +%s) + TUI_WAIT ))
	while :; do
		tui_capture
		if ! printf '%s\n' "$SCREEN" | grep -Eq -- "$1"; then
			return 0
		fi
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
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
	if tui_wait "$1" && tui_settle && printf '%s\n' "$SCREEN" | grep -Eq -- "$1"; then
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

tui_quit() {	# quits provex (q until it ends); TUI_RC gets its exit status
	_end=$(( $(date +%s) + TUI_WAIT ))
	while [ ! -f "$T/tui.rc" ]; do
		tx send-keys -t pv q 2> /dev/null
		sleep 0.2
		[ "$(date +%s)" -ge "$_end" ] && break
	done
	TUI_RC=$(cat "$T/tui.rc" 2> /dev/null || echo none)
	if [ "$TUI_RC" = 99 ]; then
		echo "provex (interface) $(head -c 300 "$T/valgrind.log" 2>/dev/null)" >> "$T/.valgrind-errors"
	fi
	tx kill-server 2> /dev/null
	return 0
}
