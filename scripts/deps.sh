#!/usr/bin/env bash
# scripts/deps.sh [--check-only] [--with-bochs] [--with-bench]
#
# Contract: checks every tool that building Atoll and `make test` need and
# maps each missing one to its Debian 12 package.
#   - all present: prints "deps: all tools present", exits 0 (fast: no dpkg,
#     no apt; only PATH look-ups and file tests).
#   - something missing, running as root and not --check-only: runs
#     `apt-get update` and `apt-get install -y <pkgs>`, then checks again;
#     exits 0 only if every required tool is then present.
#   - otherwise: prints exactly one line, `sudo apt-get install -y <pkgs>`,
#     and exits 1.
# Bochs (the boot matrix has a Bochs case), gnuplot (plots of `make bench`)
# and gcovr (the report of `make coverage`) are always required;
# --with-bochs and --with-bench are accepted for compatibility and change
# nothing. clang and libclang-rt-14-dev (libFuzzer) are optional: installed
# when possible, never a reason to fail.
set -euo pipefail

check_only=0
for arg in "$@"; do
    case "$arg" in
        --check-only) check_only=1 ;;
        --with-bochs|--with-bench) ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
        *) echo "deps.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

# have_cmd NAME / have_file PATH / have_glob PATTERN: true when present.
have_cmd()  { command -v "$1" >/dev/null 2>&1; }
have_file() { [ -e "$1" ]; }
have_glob() { compgen -G "$1" >/dev/null; }

# Each line: package|kind|what. The package list is the install line.
REQUIRED='
gcc|cmd|gcc
make|cmd|make
cmake|cmd|cmake
python3|cmd|python3
nasm|cmd|nasm
grub-common|cmd|grub-mkrescue
grub-common|cmd|grub-file
grub-pc-bin|file|/usr/lib/grub/i386-pc/modinfo.sh
grub-efi-amd64-bin|file|/usr/lib/grub/x86_64-efi/modinfo.sh
xorriso|cmd|xorriso
mtools|cmd|mformat
qemu-system-x86|cmd|qemu-system-x86_64
ovmf|file|/usr/share/ovmf/OVMF.fd
spin|cmd|spin
bochs|cmd|bochs
bochsbios|file|/usr/share/bochs/BIOS-bochs-latest
vgabios|file|/usr/share/vgabios/vgabios.bin
gnuplot-nox|cmd|gnuplot
gcovr|cmd|gcovr
'
OPTIONAL='
clang|cmd|clang
libclang-rt-14-dev|glob|/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a
'

# missing_pkgs LIST: prints the packages (deduplicated, one line) whose
# tool is absent.
missing_pkgs() {
    local pkg kind what out=""
    while IFS='|' read -r pkg kind what; do
        [ -n "$pkg" ] || continue
        case "$kind" in
            cmd)  have_cmd "$what" && continue ;;
            file) have_file "$what" && continue ;;
            glob) have_glob "$what" && continue ;;
        esac
        case " $out " in *" $pkg "*) ;; *) out="${out:+$out }$pkg" ;; esac
    done <<< "$1"
    echo "$out"
}

need=$(missing_pkgs "$REQUIRED")
want=$(missing_pkgs "$OPTIONAL")

if [ -z "$need" ]; then
    # Only optional extras missing: try installing them once per machine
    # (a stamp keeps later runs fast when they cannot be had).
    stamp=/var/tmp/atoll-deps-optional-tried
    if [ -n "$want" ] && [ "$(id -u)" = 0 ] && [ "$check_only" = 0 ] && [ ! -e $stamp ]; then
        touch $stamp
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $want; } >/dev/null 2>&1 ||
            echo "deps: optional packages not installed: $want (fuzzer skipped)"
    fi
    echo "deps: all tools present"
    exit 0
fi

if [ "$(id -u)" != 0 ] || [ "$check_only" = 1 ]; then
    echo "sudo apt-get install -y $need${want:+ $want}"
    exit 1
fi

echo "deps: installing $need${want:+ (optional: $want)}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y $need
if [ -n "$want" ]; then
    apt-get install -y $want || echo "deps: optional packages not installed: $want (fuzzer skipped)"
fi
hash -r

still=$(missing_pkgs "$REQUIRED")
if [ -n "$still" ]; then
    echo "deps: still missing after install: $still" >&2
    exit 1
fi
echo "deps: all tools present"
