; AP start-up trampoline.
; Contract: the boot core copies [ap_trampoline, ap_trampoline_end) to a
; free page below 1 MiB chosen from the memory map (smpboot.c; the SIPI
; vector is its page number), fills the data block at its end and sends
; INIT-SIPI-SIPI. The code is position independent: in real mode it finds
; its page from CS, and patches its own GDT pointer and far-jump targets.
; The block's mode says what the AP does:
;   0 check in: set `arrived` and halt (the boot core then parks it with INIT)
;   1 start: real -> protected -> long mode on a table that identity-maps the
;     first GiB and has the kernel's upper half; then, before any C code can
;     fault, load the core's own GDT, TSS (IST stacks) and GS base and the
;     IDT; then the stack, and call ap_entry(struct cpu *), which never returns
;   2 halt without checking in (test_ap_fail=: a core that does not answer)

%define OFF(x) ((x) - ap_trampoline)

section .rodata
global ap_trampoline, ap_trampoline_end, ap_tramp_data
bits 16
ap_trampoline:
	cli
	cld
	mov ax, cs
	mov ds, ax
	cmp byte [OFF(d_mode)], 1
	je .start
	ja .park
	mov dword [OFF(d_arrived)], 1
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
	and eax, ~((1 << 30) | (1 << 29)) ; caches on: CD, NW clear
	or eax, 1                       ; PE
	mov cr0, eax
	jmp dword far [OFF(pm32_ptr)]

bits 32
tramp_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, [ebx + OFF(ap_tramp_data)] ; cr3
	mov cr3, eax
	mov ecx, 0xC0000080             ; EFER: LME, and NXE if the boot core uses it
	rdmsr
	or eax, [ebx + OFF(ap_tramp_data) + 8]
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16)   ; PG, WP
	mov cr0, eax
	jmp dword far [ebx + OFF(lm64_ptr)]

bits 64
tramp_lm64:
	mov rsp, [rel ap_tramp_data + 16]
	lgdt [rel d_gdtr + 6]           ; the core's own GDT (its struct cpu)
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea rax, [rel .cs]
	push 0x08
	push rax
	o64 retf                        ; CS from the new GDT
.cs:
	mov ax, 0x30                    ; SEL_TSS: the IST stacks
	ltr ax
	lidt [rel d_idtr + 6]
	mov ecx, 0xC0000101             ; GS base: the struct cpu
	mov eax, [rel ap_tramp_data + 24]
	mov edx, [rel ap_tramp_data + 28]
	wrmsr
	mov rdi, [rel ap_tramp_data + 24]
	mov rax, [rel ap_tramp_data + 32]
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
	dw 0x18
lm64_ptr:
	dd 0                            ; patched: physical tramp_lm64
	dw 0x08

align 16
ap_tramp_data:                          ; filled by the boot core (struct tramp_data, smpboot.c)
	dq 0                            ; +0  cr3
	dq 0                            ; +8  EFER bits to set
	dq 0                            ; +16 stack top
	dq 0                            ; +24 struct cpu *
	dq 0                            ; +32 entry
d_gdtr:
	dq 0, 0                         ; +40 GDT pointer: limit at +46, base at +48
d_idtr:
	dq 0, 0                         ; +56 IDT pointer: limit at +62, base at +64
d_mode:
	dd 0                            ; +72 mode (above; a byte)
d_arrived:
	dd 0                            ; +76 set to 1 by a checking-in core
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
