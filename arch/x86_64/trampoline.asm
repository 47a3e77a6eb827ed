; AP start-up trampoline.
; Contract: the boot core copies [ap_trampoline, ap_trampoline_end) to
; physical AP_TRAMPOLINE (0x8000, so SIPI vector 0x08), fills the data block
; at its end (CR3 of a table that identity-maps the first GiB and has the
; kernel's upper half, EFER bits, the stack top, the struct cpu pointer and
; the C entry), then sends INIT-SIPI-SIPI. The AP goes from real mode to
; protected mode to long mode, loads the stack and calls
; ap_entry(struct cpu *) in the higher half, which never returns.
; AP_TRAMPOLINE and the data block's TRAMP_* offsets are generated from
; arch/tramp.h (asm_offsets.inc).

%include "asm_offsets.inc"

%define REL(x) (AP_TRAMPOLINE + (x) - ap_trampoline)

section .rodata
global ap_trampoline, ap_trampoline_end, ap_tramp_data
bits 16
ap_trampoline:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [REL(tramp_gdt_ptr)]
	mov eax, cr0                    ; after INIT: CD and NW set (caches off)
	and eax, ~(CR0_CD | CR0_NW)     ; caches on
	or eax, CR0_PE
	mov cr0, eax
	jmp dword 0x18:REL(tramp_pm32)

bits 32
tramp_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [REL(ap_tramp_data) + TRAMP_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER               ; LME, and NXE if the boot core uses it
	rdmsr
	or eax, [REL(ap_tramp_data) + TRAMP_EFER]
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	jmp 0x08:REL(tramp_lm64)

bits 64
tramp_lm64:
	mov rsp, [REL(ap_tramp_data) + TRAMP_STACK]
	mov rdi, [REL(ap_tramp_data) + TRAMP_CPU]
	mov rax, [REL(ap_tramp_data) + TRAMP_ENTRY]
	xor ebp, ebp
	call rax
.halt:
	cli
	hlt
	jmp .halt

align 16
tramp_gdt:
	dq 0
	dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code
	dq 0x00CF92000000FFFF           ; 0x10: data
	dq 0x00CF9A000000FFFF           ; 0x18: 32-bit code
tramp_gdt_ptr:
	dw tramp_gdt_ptr - tramp_gdt - 1
	dd REL(tramp_gdt)

align 8
ap_tramp_data:                          ; struct tramp_data, filled by the boot core (smpboot.c)
	times TRAMP_SIZE db 0
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
