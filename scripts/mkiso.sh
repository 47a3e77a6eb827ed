#!/usr/bin/env bash
# scripts/mkiso.sh --out FILE.iso --kernel KERNEL.elf [--cmdline "..."]
#                  [--module PATH=NAME]... [--grubcfg FILE]
#
# Contract: builds a GRUB2 hybrid (BIOS + UEFI) ISO that boots KERNEL with
# multiboot2. The kernel lands at /boot/atoll.elf, each module at
# /boot/<basename of PATH> and is handed over with NAME as its string.
# Without --grubcfg a grub.cfg is written: no menu (timeout=0), one entry
# "Atoll" with the given command line; under BIOS the console stays in VGA
# text mode, under UEFI GRUB sets up the framebuffer the kernel asks for.
# With --grubcfg that file is used as is (kernel and modules still copied).
# Staging happens in a private mktemp directory, so parallel runs are safe.
# grub-mkrescue's output is shown only when it fails. Exit 0 on success.
set -euo pipefail

die() { echo "mkiso.sh: $*" >&2; exit 1; }

out="" kernel="" cmdline="" grubcfg=""
modules=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out)     out=${2-};     shift 2 || die "--out needs a value" ;;
        --kernel)  kernel=${2-};  shift 2 || die "--kernel needs a value" ;;
        --cmdline) cmdline=${2-}; shift 2 || die "--cmdline needs a value" ;;
        --module)  modules+=("${2-}"); shift 2 || die "--module needs a value" ;;
        --grubcfg) grubcfg=${2-}; shift 2 || die "--grubcfg needs a value" ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

[ -n "$out" ]    || die "--out FILE.iso is required"
[ -n "$kernel" ] || die "--kernel FILE is required"
[ -f "$kernel" ] || die "kernel '$kernel' not found (build it first: make)"
[ -z "$grubcfg" ] || [ -f "$grubcfg" ] || die "grub.cfg '$grubcfg' not found"

stage=$(mktemp -d "${TMPDIR:-/tmp}/atoll-iso.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/atoll.elf"

module_lines=""
for m in "${modules[@]}"; do
    path=${m%%=*}
    name=${m#*=}
    [ "$path" != "$m" ] || name=$(basename "$path")
    [ -f "$path" ] || die "module '$path' not found"
    cp "$path" "$stage/boot/$(basename "$path")"
    module_lines+="	module2 /boot/$(basename "$path") $name"$'\n'
done

if [ -n "$grubcfg" ]; then
    cp "$grubcfg" "$stage/boot/grub/grub.cfg"
else
    # Without a video driver loaded GRUB on UEFI finds "no suitable video
    # mode" and hands over no framebuffer: load them all. The multiboot2
    # command sets gfxpayload from the kernel's framebuffer request, so the
    # BIOS text-mode override must come after it.
    cat > "$stage/boot/grub/grub.cfg" <<EOF
set timeout=0
set default=0
insmod all_video

menuentry "Atoll" {
	multiboot2 /boot/atoll.elf $cmdline
${module_lines}	if [ "\$grub_platform" = "pc" ]; then set gfxpayload=text; fi
}
EOF
fi

mkdir -p "$(dirname "$out")"
if ! log=$(grub-mkrescue -o "$out.tmp.$$" "$stage" 2>&1); then
    rm -f "$out.tmp.$$"
    echo "$log" >&2
    die "grub-mkrescue failed"
fi
mv -f "$out.tmp.$$" "$out"
