; Multiboot2 header and 32-bit entry.
; Contract: GRUB enters _start in 32-bit protected mode, paging off,
; EAX = multiboot2 magic, EBX = physical address of the boot information.
; We check the magic and long-mode support, build early page tables
; (identity 0-4 GiB, the same 4 GiB at the direct-map base, and the first
; GiB at -2 GiB for the kernel image), enter long mode and call
; kmain(magic, mbi_paddr) on the boot stack in the higher half. Never returns.

%include "asm_offsets.inc"

MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_MAGIC, MB2_ARCH_I386, mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	align 8                         ; console flags: EGA text supported
	dw 4, 0
	dd 12, 2
	align 8                         ; framebuffer tag: any mode, optional
	dw 5, 1                         ; type 5, flags: optional
	dd 20, 0, 0, 0                  ; size, width, height, depth: no preference
	align 8                         ; end tag
	dw 0, 0
	dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global _start
_start:
	cli
	cld
	mov esp, boot32_stack_top
	mov edi, eax                    ; keep magic and mbi in edi/esi
	mov esi, ebx
	cmp edi, MB2_BOOT_MAGIC         ; (asm_offsets.inc, from bootinfo.h)
	jne .no_multiboot
	mov eax, 0x80000000             ; long mode present?
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	call build_early_tables
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, early_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP | CR0_PE
	mov cr0, eax
	lgdt [early_gdt_ptr]
	jmp 0x08:long_entry
.no_multiboot:
	mov ebx, msg_no_mb2
	jmp boot_fail
.no_long_mode:
	mov ebx, msg_no_lm
	jmp boot_fail

; Zero the early tables, then fill them: 4 page directories of 2 MiB pages
; cover 0-4 GiB; both the identity PDPT and the direct-map PDPT point at
; them; the kernel PDPT maps -2 GiB onto the first GiB.
build_early_tables:
	push edi
	mov edi, early_tables_start
	mov ecx, (early_tables_end - early_tables_start) / 4
	xor eax, eax
	rep stosd
	pop edi
	mov dword [early_pml4], early_pdpt_low + PTE_P + PTE_W
	mov dword [early_pml4 + 256 * 8], early_pdpt_low + PTE_P + PTE_W
	mov dword [early_pml4 + 511 * 8], early_pdpt_high + PTE_P + PTE_W
	mov dword [early_pdpt_high + 510 * 8], early_pd + PTE_P + PTE_W
	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, early_pd + PTE_P + PTE_W
	mov [early_pdpt_low + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jb .pdpt
	xor ecx, ecx                    ; 2048 PDEs: entry i maps i * 2 MiB
.pde:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P + PTE_W + PTE_PS
	mov edx, ecx
	shr edx, 11                     ; bits 32+ of i * 2 MiB
	mov [early_pd + ecx * 8], eax
	mov [early_pd + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, 2048
	jb .pde
	ret

; Print the NUL-terminated string at EBX on COM1 and the VGA screen, halt.
boot_fail:
	mov edi, 0xB8000
.next:
	mov al, [ebx]
	test al, al
	jz .halt
	mov dx, 0x3F8
	out dx, al
	mov ah, 0x4F
	mov [edi], ax
	add edi, 2
	inc ebx
	jmp .next
.halt:
	hlt
	jmp .halt

bits 64
long_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rax, higher_half
	jmp rax

section .boot.data progbits alloc noexec write align=16
msg_no_mb2: db "Atoll: not started by a multiboot2 loader; halting.", 0
msg_no_lm:  db "Atoll: this CPU has no 64-bit long mode; halting.", 0
align 8
early_gdt:
	dq 0
	dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code
	dq 0x00CF92000000FFFF           ; 0x10: data
early_gdt_ptr:
	dw early_gdt_ptr - early_gdt - 1
	dd early_gdt

section .boot.bss nobits alloc noexec write align=4096
early_tables_start:
early_pml4:      resb 4096
early_pdpt_low:  resb 4096
early_pdpt_high: resb 4096
early_pd:        resb 4 * 4096
early_tables_end:
	resb 4096
boot32_stack_top:

; From here on the kernel runs at its link address in the higher half.
section .text
extern kmain
higher_half:
	mov rsp, boot_stack_top
	xor ebp, ebp                    ; end of the frame-pointer chain
%ifdef ATOLL_SANITIZE
	; The sanitizer kernel: choose the stack-protector guard before the
	; first C function with a canary runs (kernel/sanitize/stackprot.c);
	; magic and mbi wait in callee-saved ebx/r12d meanwhile.
extern stack_guard_init
	mov ebx, edi
	mov r12d, esi
	call stack_guard_init
	mov edi, ebx
	mov esi, r12d
%endif
	mov edi, edi                    ; arg 0: magic (zero-extended)
	mov esi, esi                    ; arg 1: mbi physical address
	call kmain
.halt:
	cli
	hlt
	jmp .halt

; The boot core's kernel stack, with an unmapped guard page below it.
section .bss nobits alloc noexec write align=4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	resb 4096
boot_stack_bottom:
	resb 16384
boot_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
