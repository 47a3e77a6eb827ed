#!/usr/bin/env bash
# tests/spin/check.sh: model-check the cross-cluster notification protocol
# (docs/xnotif.md) with SPIN. Run by `make test` (CTest case spin.xnotif).
#
# Passes (exit 0) only if every property holds on the correct model, in two
# configurations, AND each deliberately broken variant is caught with the
# counterexample it should produce. Exhaustive searches (no bitstate
# hashing); a search that is truncated by the depth bound counts as a failure.
#
#   KEEP=1 tests/spin/check.sh   keep the work directory (pan files, trails)
#   JOBS=n                       parallel pan compiles (default: 2)
set -u

here=$(cd "$(dirname "$0")" && pwd)
model=$here/xnotif.pml
jobs=${JOBS:-2}
depth=100000

for tool in spin gcc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "spin.xnotif: '$tool' not found (Debian: apt-get install spin gcc)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/xnotif-spin.XXXXXX") || exit 1
if [ "${KEEP:-0}" = 1 ]; then
	echo "work directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi
cd "$work" || exit 1

# The configurations. A: 2 signalling clusters x 2 signals each, 2 owner
# threads on 2 owner cores (queue of waiters, re-arming). B: 3 signalling
# clusters x 2 signals each onto 1 owner thread.
CFG_A="-DNS=2 -DK=2 -DNW=2"
CFG_B="-DNS=3 -DK=2 -DNW=1"

# build DIR MODE SPIN-DEFINES...: spin -a, then gcc. MODE: safety | ltl.
build() {
	local dir=$1 mode=$2; shift 2
	local cflags=(-O2 -w -DNOBOUNDCHECK)
	if [ "$mode" = safety ]; then
		cflags+=(-DSAFETY -DNOCLAIM)
	else
		cflags+=(-DNFAIR=4)   # weak fairness over up to 11 processes
	fi
	mkdir -p "$dir" && cp "$model" "$dir/" && cd "$dir" &&
	spin "$@" -a xnotif.pml >spin.log 2>&1 &&
	gcc "${cflags[@]}" -o pan pan.c >gcc.log 2>&1 && touch built
}

builds=(
	"ok-A-safety safety $CFG_A"
	"ok-A-ltl    ltl    $CFG_A"
	"ok-B-safety safety $CFG_B"
	"ok-B-ltl    ltl    $CFG_B"
	"b1-safety   safety $CFG_A -DBROKEN=1"
	"b1-ltl      ltl    $CFG_A -DBROKEN=1"
	"b2-safety   safety $CFG_A -DBROKEN=2"
	"b2-ltl      ltl    $CFG_A -DBROKEN=2"
	"b3-ltl      ltl    $CFG_A -DBROKEN=3"
	"b4-safety   safety $CFG_A -DBROKEN=4"
)
start=$(date +%s)
running=0
for b in "${builds[@]}"; do
	# shellcheck disable=SC2086
	(build $b) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

# Each check runs in the background (at most $jobs at once) and writes its
# line to results/NN; the lines are printed in order at the end.
mkdir -p results
nres=0
result() { # result ok|FAIL text
	printf '%-4s %s\n' "$1" "$2" >"results/$(printf %02d "$nres")"
}

# run DIR LOG ARGS...: run pan; sets $secs.
run() {
	local dir=$1 log=$2; shift 2
	local t0 t1
	t0=$(date +%s%N)
	(cd "$dir" && ./pan -m$depth "$@" >"$log" 2>&1)
	t1=$(date +%s%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}

stats() { # stats LOG: "N states, depth D"
	awk '/states, stored/ { s = $1 } /depth reached/ { d = $0; sub(/.*depth reached /, "", d); sub(/,.*/, "", d) }
	     END { printf "%s states, depth %s", s, d }' "$1"
}

# expect_hold NAME DIR ARGS...: the search completes with no error.
expect_hold() {
	local name=$1 dir=$2; shift 2
	local log=$dir/check$nres.log
	if [ ! -e "$dir/built" ]; then
		result FAIL "$name: could not build the verifier (see $dir/*.log)"
		return
	fi
	run "$dir" "check$nres.log" "$@"
	if grep -q "errors: 0" "$log" &&
	   ! grep -qiE "depth too small|search not completed|^pan: error|too many|out of memory" "$log"; then
		result ok "$name: holds ($(stats "$log"), ${secs} s)"
	else
		result FAIL "$name: $(grep -m1 -iE 'violated|cycle|error|too small|not completed' "$log")"
	fi
}

# expect_caught NAME DIR PATTERN WHAT ARGS...: pan finds an error whose
# report matches PATTERN (fixed string).
expect_caught() {
	local name=$1 dir=$2 pattern=$3 what=$4; shift 4
	local log=$dir/check$nres.log
	if [ ! -e "$dir/built" ]; then
		result FAIL "$name: could not build the verifier (see $dir/*.log)"
		return
	fi
	run "$dir" "check$nres.log" "$@"
	if grep -q "errors: [1-9]" "$log" && grep -qF -- "$pattern" "$log"; then
		local at
		at=$(grep -m1 -oE '\(at depth [0-9]+\)' "$log")
		result ok "$name: caught, $what $at (${secs} s)"
	else
		result FAIL "$name: not caught as expected ($what): $(grep -m1 -E 'errors:|violated|cycle' "$log")"
	fi
}

# check FUNCTION ARGS...: start one check in the background.
running=0
check() {
	("$@") &
	nres=$((nres + 1))
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
}

UNDETECTED='inflight==0'    # text of the Monitor's assertion (asleep, bits pending, no IPI coming)
DOUBLE='~(pend))==0'        # text of deliver()'s no-double-delivery assertion

for c in A B; do
	if [ $c = A ]; then cfg=$CFG_A; else cfg=$CFG_B; fi
	tag="correct ${cfg//-D/}"
	check expect_hold "$tag: safety (assertions, no IPI without a waiter, invariant, end states)" ok-$c-safety
	check expect_hold "$tag: ltl no_lost_wakeup (weak fairness)" ok-$c-ltl -a -f -N no_lost_wakeup
	check expect_hold "$tag: ltl every_bit (weak fairness)" ok-$c-ltl -a -f -N every_bit
done

# The broken variants. -A (ignore assertions) in the LTL runs makes pan
# report the liveness violation itself (an acceptance cycle).
check expect_caught "broken 1 (check before publish): safety" b1-safety "$UNDETECTED" \
	"waiter asleep with bits pending and no IPI coming"
check expect_caught "broken 1 (check before publish): ltl no_lost_wakeup" b1-ltl "acceptance cycle" \
	"lost wake-up (acceptance cycle)" -a -f -A -N no_lost_wakeup
check expect_caught "broken 2 (read before OR): safety" b2-safety "$UNDETECTED" \
	"waiter asleep with bits pending and no IPI coming"
check expect_caught "broken 2 (read before OR): ltl no_lost_wakeup" b2-ltl "acceptance cycle" \
	"lost wake-up (acceptance cycle)" -a -f -A -N no_lost_wakeup
check expect_caught "broken 3 (handler load + plain store): ltl every_bit" b3-ltl "acceptance cycle" \
	"a signalled bit is never received (acceptance cycle)" -a -f -A -N every_bit
check expect_caught "broken 4 (give-up reports bits it leaves): safety" b4-safety "$DOUBLE" \
	"double delivery"
wait

passed=0
failed=0
for i in $(seq 0 $((nres - 1))); do
	f=results/$(printf %02d "$i")
	if [ -s "$f" ]; then
		cat "$f"
		case $(cat "$f") in ok*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
	else
		echo "FAIL check $i: no result (pan crashed?)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed ($(($(date +%s) - start)) s)"
[ "$failed" -eq 0 ]
