#!/usr/bin/env bash
# scripts/check-layers.sh [ROOT]   (CTest: host.layers)
#
# Contract: checks the walls between the kernel's folders (STYLE.md rule 1,
# docs/kernel.md "Layers", smp/README.md) in the source tree at ROOT
# (default: this script's tree) and exits 1, naming each offence, if
#  1. a C file or header in kernel/ or smp/ includes an arch header that is
#     not part of the arch API (arch/x86_64/include/arch/*.h), or includes
#     arch/x86.h (the raw single-instruction helpers), or reaches into
#     arch/ or boot/ by a path;
#  2. a C file or header in kernel/ or smp/ contains inline assembly
#     (asm, __asm, __asm__), comments aside;
#  3. a file in smp/ includes a kernel header that is not one of the leaf
#     services smp/ may use (SMP_MAY_USE below): kernel/ calls smp/, smp/
#     does not call back into the kernel's policy (scheduler entry, objects,
#     root task, entry hooks, checks).
# Exit 0 and one line "layers: ok (N files)" otherwise. Needs bash, grep, sed.
set -uo pipefail

ROOT=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
API=$ROOT/arch/x86_64/include/arch
# Kernel headers smp/ may include: types and leaf services (formatting,
# panic, boot memory and the cluster plan it boots from, the boot record),
# and sched.h for struct core, the one exception (smp/README.md says why).
SMP_MAY_USE="types.h layout.h panic.h console.h printf.h kstring.h bootmem.h bootinfo.h
             cluster_plan.h kernel.h acpi.h cmdline.h sanitize.h sched.h smp.h"

bad=0
offend() {
    echo "layers: $*"
    bad=1
}

files=$(find "$ROOT/kernel" "$ROOT/smp" -name '*.[ch]' | sort)
[ -n "$files" ] || { echo "layers: no sources under $ROOT/kernel, $ROOT/smp"; exit 1; }
n=0
for f in $files; do
    n=$((n + 1))
    rel=${f#"$ROOT"/}
    # Comments out (block comments joined first, then // to end of line).
    # Non-greedy: the text between two comments on one line stays code.
    code=$(sed -e ':a' -e '/\/\*/{/\*\//!{N;ba' -e '}}' -e 's:/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/::g' -e 's://.*$::' "$f")
    if grep -qE '(^|[^A-Za-z0-9_])(asm|__asm|__asm__)([^A-Za-z0-9_]|$)' <<<"$code"; then
        offend "$rel: inline assembly (x86 instructions live in arch/x86_64/)"
    fi
    # An include by macro hides its target from this check: not allowed.
    if grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[^[:space:]<"]' <<<"$code"; then
        offend "$rel: includes by macro (name the header)"
    fi
    while read -r inc; do
        [ -n "$inc" ] || continue
        case $inc in
        ../* | */../* | */./* | ./*)
            offend "$rel: includes $inc by a path with . or .. segments" ;;
        arch/x86.h)
            offend "$rel: includes arch/x86.h (raw x86 helpers; use the arch_* functions)" ;;
        arch/*)
            [ -f "$API/${inc#arch/}" ] || offend "$rel: includes $inc, not an arch API header" ;;
        *x86_64/* | *boot/*.inc | ../*)
            offend "$rel: includes $inc by a path into another folder" ;;
        esac
        if [[ $rel == smp/* && $inc != arch/* && ! -f $ROOT/smp/include/$inc ]]; then
            case " $(echo $SMP_MAY_USE) " in
            *" $inc "*) ;;
            *) offend "$rel: includes kernel header $inc (smp/ is a service of kernel/: it may use only $(echo $SMP_MAY_USE))" ;;
            esac
        fi
    done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/p' <<<"$code")
done
[ $bad = 0 ] && echo "layers: ok ($n files in kernel/ and smp/)"
exit $bad
