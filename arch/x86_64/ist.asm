; NMI and machine-check entry (vectors 2 and 18), on their own IST stacks.
; Contract: these may interrupt anything, the kernel's entry and exit paths
; included, where GS may hold either the user's or the kernel's base; so they
; trust neither GS nor the interrupted stack. The word just above the CPU's
; frame (the top of the IST stack, gdt.c) holds this core's struct cpu: GS
; base is set to it for the handler and the interrupted value put back
; before the IRETQ. The frame is a struct trapframe; trap_ist(frame) runs
; with interrupts off (an interrupt gate), and returns for an NMI; a
; machine check does not return.

%include "asm_offsets.inc"
%include "gprs.inc"


section .text
extern trap_ist
global ist_nmi_entry, ist_mc_entry

ist_nmi_entry:
	push 0                          ; error code
	push 2                          ; vector: #NMI
	jmp ist_common

ist_mc_entry:
	push 0
	push 18                         ; vector: #MC
	jmp ist_common

ist_common:
	PUSH_GPRS
	push 2                          ; RFLAGS: AC (SMAP) and DF clear, IF stays clear;
	popfq                           ; IRETQ puts the interrupted flags back
	mov ecx, MSR_GS_BASE
	rdmsr
	mov r12d, eax                   ; the interrupted GS base (r12, r13: callee-saved)
	mov r13d, edx
	mov rax, [rsp + TF_SIZE]        ; this core's struct cpu, above the frame
	mov rdx, rax
	shr rdx, 32
	wrmsr
	mov rdi, rsp
	mov rbx, rsp
	and rsp, -16                    ; the C ABI's alignment
	call trap_ist
	mov rsp, rbx
	mov ecx, MSR_GS_BASE
	mov eax, r12d
	mov edx, r13d
	wrmsr
	POP_GPRS
	add rsp, 16                     ; vector and error code
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
