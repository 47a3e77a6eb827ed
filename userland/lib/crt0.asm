; User program entry.
; Contract: the kernel (root task) or a loader starts a thread here with rdi
; = the program's argument (the boot-information address for a root task)
; and rsp = top of its stack. We align the stack, call main(arg) and end the
; thread through atoll_exit(main's return value).

section .text
global _start
extern main, atoll_exit

_start:
	xor ebp, ebp
	and rsp, -16
	call main
	mov rdi, rax
	call atoll_exit
.hang:
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
