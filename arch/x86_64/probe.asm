; Trap probe for self-tests.
; Contract: uint64_t trap_probe_call(void (*fn)(void)) calls fn and returns 0
; when it returns normally. If fn raises the exception trap_probe() (trap.c)
; armed, trap_dispatch resumes execution at trap_probe_resume on the stack pointer
; saved here (trap_probe_rsp), and trap_probe_call returns 1. Callee-saved
; registers are restored either way. Boot core only, not reentrant.
; trap_probe_unwind does the same from a handler that has no frame to edit
; (trap_return_fault): it abandons its stack for the one saved here.

section .text
global trap_probe_call, trap_probe_resume, trap_probe_unwind
global trap_probe_rsp

trap_probe_call:
	push rbp
	mov rbp, rsp
	push rbx
	push r12
	push r13
	push r14
	push r15
	sub rsp, 8                      ; keep the call below 16-byte aligned
	mov [rel trap_probe_rsp], rsp
	call rdi
	xor eax, eax
.out:
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

trap_probe_resume:
	mov eax, 1
	jmp trap_probe_call.out

trap_probe_unwind:
	mov rsp, [rel trap_probe_rsp]
	jmp trap_probe_resume

section .bss
align 8
trap_probe_rsp: resq 1

section .note.GNU-stack noalloc noexec nowrite progbits
