; AP start-up trampoline.
; Contract: the boot core copies [ap_trampoline, ap_trampoline_end) to a
; free page below 1 MiB chosen from the memory map (smpboot.c; the SIPI
; vector is its page number), fills the data block at its end and sends
; INIT-SIPI-SIPI. The code is position independent: in real mode it finds
; its page from CS, and patches its own GDT pointer and far-jump targets.
; The block (struct tramp_data, arch/tramp.h; its TRAMP_* offsets and the
; constants used here are generated into asm_offsets.inc) says by its mode
; what the AP does:
;   0 check in: set `arrived` and halt (the boot core then parks it with INIT)
;   1 start: real -> protected -> long mode on a table that identity-maps the
;     first GiB and has the kernel's upper half; then, before any C code can
;     fault, load the core's own GDT, TSS (IST stacks) and GS base and the
;     IDT; then the stack, and call ap_entry(struct cpu *), which never returns
;   2 halt without checking in (test_ap_fail=: a core that does not answer)

%include "asm_offsets.inc"

%define OFF(x) ((x) - ap_trampoline)
; Selectors of the trampoline's own GDT (tramp_gdt below).
%define TG_CODE64 0x08
%define TG_DATA 0x10
%define TG_CODE32 0x18

section .rodata
global ap_trampoline, ap_trampoline_end, ap_tramp_data
bits 16
ap_trampoline:
	cli
	cld
	mov ax, cs
	mov ds, ax
	cmp byte [OFF(ap_tramp_data) + TRAMP_MODE], TRAMP_MODE_START
	je .start
	ja .park
	mov dword [OFF(ap_tramp_data) + TRAMP_ARRIVED], 1
.park:
	cli
	hlt
	jmp .park
.start:
	movzx ebx, ax
	shl ebx, 4                      ; ebx: physical base of this page
	lea eax, [ebx + OFF(tramp_gdt)]
	mov [OFF(tramp_gdt_ptr) + 2], eax
	lea eax, [ebx + OFF(tramp_pm32)]
	mov [OFF(pm32_ptr)], eax
	lea eax, [ebx + OFF(tramp_lm64)]
	mov [OFF(lm64_ptr)], eax
	lgdt [OFF(tramp_gdt_ptr)]
	mov eax, cr0                    ; after INIT: CD and NW set (caches off)
	and eax, ~(CR0_CD | CR0_NW)     ; caches on
	or eax, CR0_PE
	mov cr0, eax
	jmp dword far [OFF(pm32_ptr)]

bits 32
tramp_pm32:
	mov ax, TG_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [ebx + OFF(ap_tramp_data) + TRAMP_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER               ; LME, and NXE if the boot core uses it
	rdmsr
	or eax, [ebx + OFF(ap_tramp_data) + TRAMP_EFER]
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	jmp dword far [ebx + OFF(lm64_ptr)]

bits 64
tramp_lm64:
	mov rsp, [rel ap_tramp_data + TRAMP_STACK]
	lgdt [rel ap_tramp_data + TRAMP_GDTR] ; the core's own GDT (its struct cpu)
	mov ax, SEL_KERNEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea rax, [rel .cs]
	push SEL_KERNEL_CODE
	push rax
	o64 retf                        ; CS from the new GDT
.cs:
	mov ax, SEL_TSS_NO              ; the IST stacks
	ltr ax
	lidt [rel ap_tramp_data + TRAMP_IDTR]
	mov ecx, MSR_GS_BASE            ; the struct cpu
	mov eax, [rel ap_tramp_data + TRAMP_CPU]
	mov edx, [rel ap_tramp_data + TRAMP_CPU + 4]
	wrmsr
	mov rdi, [rel ap_tramp_data + TRAMP_CPU]
	mov rax, [rel ap_tramp_data + TRAMP_ENTRY]
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
	dd 0                            ; patched: physical address of tramp_gdt
pm32_ptr:
	dd 0                            ; patched: physical tramp_pm32
	dw TG_CODE32
lm64_ptr:
	dd 0                            ; patched: physical tramp_lm64
	dw TG_CODE64

align 16
ap_tramp_data:                          ; struct tramp_data, filled by the boot core (smpboot.c)
	times TRAMP_SIZE db 0
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
