#!/usr/bin/env bash
# scripts/boot-test.sh [VAR=value]... [--print-cmd]
#
# Contract: boots the kernel once in one configuration and passes (exit 0)
# only on a clean result; anything else exits 1 with a one-line reason and
# the last 40 lines of the serial log (exit 2: bad usage).
#
# Configuration, from the environment or as VAR=value arguments:
#   KERNEL    kernel ELF                     build/kernel/atoll.elf
#   MODULES   space-separated PATH=NAME list (none)
#   SMP       CPUs                           1
#   FIRMWARE  bios | uefi (OVMF)             bios
#   CPU       QEMU -cpu model                max
#   BOCHS_CPU Bochs `cpu: model=` (tigerlake; ryzen for an AMD CPU; `bochs -help cpu` lists them)  tigerlake
#   MEM       guest memory (QEMU syntax)     256M
#   VIDEO     QEMU display: std (VGA) or a framebuffer-only device with no
#             VGA at all (ramfb, bochs-display; UEFI only)           std
#   CMDLINE   kernel command line            test=boot
#   EMULATOR  qemu | bochs                   qemu
#   TIMEOUT   seconds before giving up (for Bochs, includes waiting for the lock)  120
#   ICOUNT    1: -icount shift=0,sleep=off -rtc clock=vm (QEMU only)   0
#   MACHINE   QEMU -M value: q35 or pc (i440fx), options allowed
#             (pc,acpi=off: no ACPI tables; pc,hpet=off)             q35
#   HMP       QEMU monitor (HMP) commands, `;`-separated (e.g. `nmi`), sent
#             once the serial log matches HMP_AFTER (QEMU only)       (none)
#   HMP_AFTER extended regex that triggers HMP                        (none)
#   EXPECT    extended regex the serial log must contain                (none)
#   EXIT      how the guest ends the run (QEMU only)       port
#             port:     isa-debug-exit, QEMU exits 33 (pass) or 35 (fail)
#             shutdown: QEMU exits 0 (ACPI S5, or a reset under -no-reboot:
#                       exit=acpi, exit=reboot); the verdict from the log
#             halt:     the guest halts and QEMU still runs at TIMEOUT
#                       (exit=halt); the log must end the run with
#                       "Atoll has stopped; you may now switch off."
#   TOPOLOGY  QEMU -smp topology, e.g. sockets=2,cores=2,threads=2 (QEMU only)  (none)
#   SERIAL    com1 | none: none = a PC without a serial port (QEMU -serial
#             none); the log is then what the kernel writes to port 0xE9
#             (-debugcon), which it does under a hypervisor     com1
#   ACPI      on | off: off = a machine without ACPI tables (QEMU
#             -M pc,acpi=off: i440fx, as q35 keeps its tables)  on
#   BOOTDEV   cdrom | usb: usb = the ISO as a USB stick (qemu-xhci +
#             usb-storage; QEMU only)                            cdrom
#   MAX_ENTRY the log must have a `longest kernel entry: N tsc` line
#             (entrystats, docs/kernel.md) and every such N <= MAX_ENTRY (none)
#   LOG       serial log kept after the run  $LOGDIR/<config>.log
#   LOGDIR    where default LOGs go          build/logs
# --print-cmd prints the commands (ISO build, emulator) instead of booting.
#
# Guest protocol: TAP lines `ok N - name` / `not ok N - name` on COM1, then
# `N passed, M failed`; `ok N - name # SKIP reason` is a pass (a test for
# a device this machine lacks) and is counted apart. Under QEMU the guest writes 0x10 (pass) or 0x11
# (fail) to isa-debug-exit at port 0xf4, so QEMU exits with 33 or 35; under
# Bochs it writes "Shutdown" to port 0x8900 (Bochs exits 1 regardless).
# Pass = (QEMU: exit status 33, or as EXIT says) + a `N passed, 0 failed` line with N >= 1 +
# no `not ok` line + exactly N `ok` lines + EXPECT found + (MAX_ENTRY) the
# longest kernel entry within the bound.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OVMF=/usr/share/ovmf/OVMF.fd
BOCHS_LOCK=/tmp/atoll-bochs.lock
KNOWN_VARS=" KERNEL MODULES SMP FIRMWARE CPU BOCHS_CPU MEM VIDEO CMDLINE EMULATOR TIMEOUT ICOUNT MACHINE HMP HMP_AFTER EXPECT EXIT MAX_ENTRY LOG LOGDIR TOPOLOGY SERIAL ACPI BOOTDEV "

usage() { echo "boot-test.sh: $*" >&2; echo "usage: see the comment at the top of $0" >&2; exit 2; }

print_cmd=0
for arg in "$@"; do
    case "$arg" in
        --print-cmd) print_cmd=1 ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
        [A-Z]*=*)
            var=${arg%%=*}
            case "$KNOWN_VARS" in *" $var "*) ;; *) usage "unknown variable '$var'" ;; esac
            export "$arg" ;;
        *) usage "unknown argument '$arg'" ;;
    esac
done

KERNEL=${KERNEL:-$ROOT/build/kernel/atoll.elf}
MODULES=${MODULES:-}
SMP=${SMP:-1}
FIRMWARE=${FIRMWARE:-bios}
CPU=${CPU:-max}
BOCHS_CPU=${BOCHS_CPU:-tigerlake}
MEM=${MEM:-256M}
VIDEO=${VIDEO:-std}
CMDLINE=${CMDLINE-test=boot}
EMULATOR=${EMULATOR:-qemu}
TIMEOUT=${TIMEOUT:-120}
ICOUNT=${ICOUNT:-0}
MACHINE=${MACHINE:-q35}
HMP=${HMP:-}
HMP_AFTER=${HMP_AFTER:-}
EXPECT=${EXPECT:-}
EXIT=${EXIT:-port}
MAX_ENTRY=${MAX_ENTRY:-}
LOGDIR=${LOGDIR:-$ROOT/build/logs}
TOPOLOGY=${TOPOLOGY:-}
SERIAL=${SERIAL:-com1}
ACPI=${ACPI:-on}
BOOTDEV=${BOOTDEV:-cdrom}

[[ $SMP =~ ^[1-9][0-9]*$ ]]     || usage "SMP must be a positive number, not '$SMP'"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || usage "TIMEOUT must be a positive number of seconds, not '$TIMEOUT'"
[[ $ICOUNT =~ ^[01]$ ]]         || usage "ICOUNT must be 0 or 1, not '$ICOUNT'"
[[ $MACHINE =~ ^[a-z0-9][a-z0-9.,=_-]*$ ]] || usage "MACHINE must be a QEMU machine (-M) value, not '$MACHINE'"
[[ -z $MAX_ENTRY || $MAX_ENTRY =~ ^[0-9]+$ ]] || usage "MAX_ENTRY must be a number, not '$MAX_ENTRY'"
case "$FIRMWARE" in bios|uefi) ;; *) usage "FIRMWARE must be bios or uefi, not '$FIRMWARE'" ;; esac
case "$EMULATOR" in qemu|bochs) ;; *) usage "EMULATOR must be qemu or bochs, not '$EMULATOR'" ;; esac
case "$VIDEO" in std|ramfb|bochs-display) ;; *) usage "VIDEO must be std, ramfb or bochs-display, not '$VIDEO'" ;; esac
case "$EXIT" in port|shutdown|halt) ;; *) usage "EXIT must be port, shutdown or halt, not '$EXIT'" ;; esac
[[ $BOCHS_CPU =~ ^[a-z0-9_]+$ ]] || usage "BOCHS_CPU must be a Bochs CPU model name, not '$BOCHS_CPU'"
[[ -z $TOPOLOGY || $TOPOLOGY =~ ^[a-z]+=[0-9]+(,[a-z]+=[0-9]+)*$ ]] ||
    usage "TOPOLOGY must look like sockets=2,cores=2,threads=2, not '$TOPOLOGY'"
case "$SERIAL" in com1|none) ;; *) usage "SERIAL must be com1 or none, not '$SERIAL'" ;; esac
case "$ACPI" in on|off) ;; *) usage "ACPI must be on or off, not '$ACPI'" ;; esac
case "$BOOTDEV" in cdrom|usb) ;; *) usage "BOOTDEV must be cdrom or usb, not '$BOOTDEV'" ;; esac
if [ "$EMULATOR" = bochs ] && { [ -n "$TOPOLOGY" ] || [ "$SERIAL$ACPI$BOOTDEV$VIDEO" != com1oncdromstd ]; }; then
    usage "TOPOLOGY, SERIAL, ACPI, BOOTDEV and VIDEO are QEMU only"
fi
[[ $MACHINE =~ ^(q35|pc)(,[a-z0-9_-]+=[a-z0-9_]+)*$ ]] ||
    usage "MACHINE must be q35 or pc with optional ,key=value options, not '$MACHINE'"
[ -z "$HMP" ] || { [ -n "$HMP_AFTER" ] && [ "$EMULATOR" = qemu ]; } || usage "HMP needs HMP_AFTER and EMULATOR=qemu"

# One word naming the configuration: used in messages and the default LOG name.
if [ "$EMULATOR" = bochs ]; then
    CONFIG="bochs-smp$SMP-$MEM"
    [ "$BOCHS_CPU" = tigerlake ] || CONFIG="bochs-$BOCHS_CPU-smp$SMP-$MEM"
else
    CONFIG="qemu-$FIRMWARE-smp$SMP-$CPU-$MEM"
    [ "$MACHINE" = q35 ] ||
        CONFIG="qemu-$(printf '%s' "$MACHINE" | tr -c 'A-Za-z0-9.=-' '_')-$FIRMWARE-smp$SMP-$CPU-$MEM"
    [ "$VIDEO" = std ] || CONFIG+="-$VIDEO"
    [ "$ICOUNT" = 0 ] || CONFIG+="-icount"
    [ -z "$TOPOLOGY" ] || CONFIG+="-$(printf '%s' "$TOPOLOGY" | tr -c 'a-z0-9' '_')"
    [ "$SERIAL" = com1 ] || CONFIG+="-noserial"
    [ "$ACPI" = on ] || CONFIG+="-noacpi"
    [ "$BOOTDEV" = cdrom ] || CONFIG+="-usb"
    [ -z "$HMP" ] || CONFIG+="-hmp"
fi
[ -z "$CMDLINE" ] || CONFIG+="-$(printf '%s' "$CMDLINE" | tr -c 'A-Za-z0-9.=:-' '_' | cut -c1-60)"
LOG=${LOG:-$LOGDIR/$CONFIG.log}
case "$LOG" in /*) ;; *) LOG="$PWD/$LOG" ;; esac

# bochs_megs MEM: QEMU-style size (128M, 2G, 512) in MiB for Bochs, capped
# at 2048 (Bochs 2.7's limit for `megs`).
bochs_megs() {
    local n=${1%[MmGg]} mb
    [[ $n =~ ^[0-9]+$ ]] || usage "MEM '$1' is not a size like 256M or 2G"
    case "$1" in *[Gg]) mb=$((n * 1024)) ;; *) mb=$n ;; esac
    [ "$mb" -le 2048 ] || mb=2048
    echo "$mb"
}

# pkg_file PACKAGE REGEX FALLBACK: the package's file matching REGEX.
pkg_file() {
    local f
    f=$(dpkg -L "$1" 2>/dev/null | grep -E -m1 "$2") || true
    echo "${f:-$3}"
}

# write_bochsrc ISO SERIAL BOCHSLOG OUTFILE: fills in scripts/bochsrc.in.
write_bochsrc() {
    sed -e "s|@MEGS@|$(bochs_megs "$MEM")|" \
        -e "s|@SMP@|$SMP|" \
        -e "s|@BOCHS_CPU@|$BOCHS_CPU|" \
        -e "s|@ROMIMAGE@|$(pkg_file bochsbios '/BIOS-bochs-latest$' /usr/share/bochs/BIOS-bochs-latest)|" \
        -e "s|@VGAROMIMAGE@|$(pkg_file vgabios '/vgabios\.bin$' /usr/share/vgabios/vgabios.bin)|" \
        -e "s|@ISO@|$1|" -e "s|@SERIAL@|$2|" -e "s|@BOCHSLOG@|$3|" \
        "$ROOT/scripts/bochsrc.in" > "$4"
}

# qemu_cmd ISO SERIAL: sets the array EMU to the QEMU command line.
qemu_cmd() {
    local machine=$MACHINE smp=$SMP
    # q35 accepts acpi=off but SeaBIOS still builds the tables under QEMU
    # 7.2; on i440fx (-M pc) acpi=off removes them.
    [ "$ACPI" = on ] || machine=pc,acpi=off
    [ -z "$TOPOLOGY" ] || smp+=",$TOPOLOGY"
    EMU=(qemu-system-x86_64 -M "$machine" -smp "$smp" -m "$MEM"
         -cpu "$CPU" -display none -no-reboot
         -device isa-debug-exit,iobase=0xf4,iosize=0x04)
    if [ -n "$HMP" ]; then EMU+=(-monitor "unix:${TMP:-/tmp}/hmp.sock,server=on,wait=off")
    else EMU+=(-monitor none); fi
    if [ "$BOOTDEV" = usb ]; then
        EMU+=(-drive "if=none,id=stick,format=raw,file=${1//,/,,}"
              -device qemu-xhci -device usb-storage,drive=stick,bootindex=1)
    else
        EMU+=(-cdrom "$1" -boot d)
    fi
    if [ "$SERIAL" = com1 ]; then
        EMU+=(-serial "file:${2//,/,,}")
    else
        EMU+=(-serial none -debugcon "file:${2//,/,,}")
    fi
    [ "$FIRMWARE" = bios ] || EMU+=(-bios "$OVMF")
    [ "$VIDEO" = std ] || EMU+=(-vga none -device "$VIDEO")
    [ "$ICOUNT" = 0 ] || EMU+=(-icount shift=0,sleep=off -rtc clock=vm)
}

# mkiso_cmd ISO: sets the array MKISO to the ISO build command.
mkiso_cmd() {
    local m
    MKISO=("$ROOT/scripts/mkiso.sh" --out "$1" --kernel "$KERNEL" --cmdline "$CMDLINE")
    for m in $MODULES; do MKISO+=(--module "$m"); done
}

# show ARGS...: prints a command line, quoting only the words that need it.
show() {
    local w q="'\\''" out=()
    for w in "$@"; do
        if [[ $w =~ ^[A-Za-z0-9_./=:,@+%-]+$ ]]; then out+=("$w"); else out+=("'${w//\'/$q}'"); fi
    done
    echo "${out[*]}"
}

if [ "$print_cmd" = 1 ]; then
    iso="$LOGDIR/$CONFIG.iso"
    mkiso_cmd "$iso"
    show "${MKISO[@]}"
    if [ "$EMULATOR" = qemu ]; then
        qemu_cmd "$iso" "$LOG"
        show timeout "$TIMEOUT" "${EMU[@]}"
    else
        base="$LOGDIR/$CONFIG"
        echo "cat > $base.bochsrc <<'EOF'"
        write_bochsrc "$iso" "$LOG" "$base.bochs.log" /dev/stdout | grep -v '^#'
        echo "EOF"
        echo "echo c > $base.rc"
        echo "flock $BOCHS_LOCK timeout $TIMEOUT bochs -q -f $base.bochsrc -rc $base.rc </dev/null"
    fi
    exit 0
fi

[ -f "$KERNEL" ] || { echo "FAIL: kernel '$KERNEL' not found (build it first: make)"; exit 1; }
if [ "$FIRMWARE" = uefi ] && [ "$EMULATOR" = qemu ] && [ ! -f "$OVMF" ]; then
    echo "FAIL: $OVMF not found (scripts/deps.sh installs ovmf)"; exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/atoll-boot.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$(dirname "$LOG")"
rm -f "$LOG"

mkiso_cmd "$TMP/atoll.iso"
"${MKISO[@]}" || { echo "FAIL: $CONFIG: could not build the ISO"; exit 1; }

# run_qemu / run_bochs: boot once; set STATUS (emulator exit status, 124 on
# timeout) and SIDE (the emulator's own stderr/log, shown on failure).
# hmp_inject: once the log matches HMP_AFTER, send the HMP commands to the
# monitor socket (python3), and note it in $TMP/hmp.done.
hmp_inject() {
    local deadline=$((SECONDS + TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ -S "$TMP/hmp.sock" ] && [ -f "$LOG" ] && tr -d '\r\000' < "$LOG" | grep -Eq -- "$HMP_AFTER"; then
            python3 - "$TMP/hmp.sock" "$HMP" <<'PY' && echo "sent: $HMP" > "$TMP/hmp.done"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
for cmd in sys.argv[2].split(';'):
    s.sendall((cmd.strip() + '\n').encode())
    time.sleep(0.2)
try:
    s.recv(65536)
except OSError:
    pass
s.close()
PY
            return
        fi
        sleep 0.1
    done
}

run_qemu() {
    local inj=""
    qemu_cmd "$TMP/atoll.iso" "$LOG"
    SIDE="$TMP/qemu.stderr"
    if [ -n "$HMP" ]; then hmp_inject & inj=$!; fi
    timeout -k 5 "$TIMEOUT" "${EMU[@]}" </dev/null >"$SIDE" 2>&1
    STATUS=$?
    if [ -n "$inj" ]; then kill "$inj" 2>/dev/null; wait "$inj" 2>/dev/null; fi
}

run_bochs() {
    # Bochs writes the serial log straight to LOG (so a run killed from
    # outside still leaves it) unless the path would confuse bochsrc parsing.
    local serial="$LOG" waited left
    [[ $serial =~ ^[A-Za-z0-9_./=:+@%-]+$ ]] || serial="$TMP/serial.log"
    SIDE="$TMP/bochs.log"
    write_bochsrc "$TMP/atoll.iso" "$serial" "$SIDE" "$TMP/bochsrc"
    echo c > "$TMP/rc"
    : > "$serial"
    # One Bochs at a time (rfb's port 5900); the wait counts against TIMEOUT.
    exec 9>>"$BOCHS_LOCK"
    chmod a+rw "$BOCHS_LOCK" 2>/dev/null
    waited=$SECONDS
    if ! flock -w "$TIMEOUT" 9; then
        STATUS=124; LOCKWAIT=$TIMEOUT; return
    fi
    LOCKWAIT=$((SECONDS - waited))
    left=$((TIMEOUT - LOCKWAIT)); [ "$left" -ge 1 ] || left=1
    (cd "$TMP" && timeout -k 5 "$left" bochs -q -f bochsrc -rc rc </dev/null >>"$SIDE" 2>&1)
    STATUS=$?
    exec 9>&-
    [ "$serial" = "$LOG" ] || cp "$serial" "$LOG"
}

LOCKWAIT=0
start=$(date +%s%N)
if [ "$EMULATOR" = qemu ]; then run_qemu; else run_bochs; fi
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
elapsed=$(printf '%d.%d' $((elapsed / 1000)) $((elapsed % 1000 / 100)))
[ -f "$LOG" ] || : > "$LOG"

# A clean copy of the log: no CR, NUL or ANSI escapes (OVMF and GRUB on UEFI
# draw on the serial console before the kernel starts).
tr -d '\r\000' < "$LOG" | sed 's/\x1b\[[0-9;?=]*[A-Za-z]//g' > "$TMP/clean.log"

# longest_entry: the largest N of the log's `longest kernel entry: N tsc`
# lines (one per cluster), empty if there is none.
longest_entry() {
    sed -nE 's/^longest kernel entry: ([0-9]+) tsc.*/\1/p' "$TMP/clean.log" | sort -n | tail -n 1
}

# status_reason: sets REASON from how the emulator ended (STATUS, EXIT).
status_reason() {
    REASON=""
    if [ "$EMULATOR" = qemu ] && [ "$EXIT" = halt ]; then
        if [ "$STATUS" != 124 ] && [ "$STATUS" != 137 ]; then
            REASON="exit status $STATUS: the guest was to halt, leaving QEMU running"
        elif ! grep -q '^Atoll has stopped; you may now switch off\.$' "$TMP/clean.log"; then
            REASON="halted without 'Atoll has stopped; you may now switch off.'"
        fi
    elif [ "$STATUS" = 124 ] || [ "$STATUS" = 137 ]; then
        REASON="timeout after $TIMEOUT s"
        [ "$LOCKWAIT" = 0 ] || REASON+=" ($LOCKWAIT s of it waiting for another Bochs to finish)"
    elif [ "$EMULATOR" = qemu ] && [ "$EXIT" = shutdown ]; then
        [ "$STATUS" = 0 ] || REASON="exit status $STATUS (a shutdown exits 0)"
    elif [ "$EMULATOR" = qemu ] && [ "$STATUS" != 33 ]; then
        REASON="exit status $STATUS"
        [ "$STATUS" != 35 ] || REASON+=" (guest reported failure)"
    fi
}

# verdict: sets REASON (empty on a pass), NTESTS and NSKIPS (the `ok` lines
# with a `# SKIP reason`: passes, counted apart).
verdict() {
    local clean="$TMP/clean.log" summary passed failed oks notoks longest
    NTESTS=0 NSKIPS=0
    notoks=$(grep -E '^not ok [0-9]+' "$clean" | head -n 5 | paste -sd ';' -) || true
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$clean" | tail -n 1) || true
    passed=$(echo "$summary" | sed -nE 's/^([0-9]+) passed.*/\1/p')
    failed=$(echo "$summary" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
    oks=$(grep -cE '^ok [0-9]+' "$clean") || true
    NSKIPS=$(grep -cE '^ok [0-9]+ .*# SKIP' "$clean") || true

    status_reason
    if [ -n "$REASON" ]; then
        :
    elif [ -z "$summary" ]; then
        REASON="summary line 'N passed, M failed' missing"
    elif [ -n "$notoks" ] || [ "$failed" != 0 ]; then
        REASON="summary '$summary'"
    elif [ "$passed" -lt 1 ]; then
        REASON="no test passed ('$summary')"
    elif [ "$oks" != "$passed" ]; then
        REASON="$oks 'ok' lines but the summary says '$summary'"
    elif [ -n "$HMP" ] && [ ! -f "$TMP/hmp.done" ]; then
        REASON="HMP '$HMP' was never sent (no /$HMP_AFTER/ in the log, or no monitor)"
    elif [ -n "$EXPECT" ] && ! grep -Eq -- "$EXPECT" "$clean"; then
        REASON="EXPECT not found: /$EXPECT/"
    elif [ -n "$MAX_ENTRY" ] && [ -z "$(longest_entry)" ]; then
        REASON="no 'longest kernel entry: N tsc' line (entrystats=on?)"
    elif [ -n "$MAX_ENTRY" ] && [ "$(longest_entry)" -gt "$MAX_ENTRY" ]; then
        longest=$(grep -m1 -E "^longest kernel entry: $(longest_entry) tsc" "$clean")
        REASON="kernel entry over the bound of $MAX_ENTRY: $longest"
    fi
    [ -z "$notoks" ] || REASON+="; failures: $notoks"
    NTESTS=${passed:-0}
}

verdict
if [ -z "$REASON" ]; then
    [ -z "$MAX_ENTRY" ] || grep -E '^longest kernel entry: ' "$TMP/clean.log"
    echo "PASS: $CONFIG: $NTESTS tests ($NSKIPS skipped), ${elapsed} s (log: $LOG)"
    grep -E '^ok [0-9]+ .*# SKIP' "$TMP/clean.log" | head -n 20 | sed 's/^/  skipped: /' 
    exit 0
fi
echo "FAIL: $CONFIG: $REASON (${elapsed} s)"
echo "--- last 40 lines of $LOG ---"
tail -n 40 "$TMP/clean.log"
if [ -s "$SIDE" ]; then
    echo "--- $EMULATOR's own output (last 20 lines) ---"
    tail -n 20 "$SIDE"
fi
exit 1
