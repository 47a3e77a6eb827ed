; Interrupt and exception entry.
; Contract: every vector has a stub that makes the frame uniform (pushes a
; zero error code where the CPU pushes none, then the vector number) and
; jumps to trap_common, which saves the general registers as a struct
; trapframe (arch/trap.h).
; From user mode the frame lands in the running thread's TCB (TSS.rsp0 is
; the end of its saved registers): GS is swapped, the core's kernel stack
; is loaded, trap_user(frame) runs and the current thread is resumed
; through arch_return_to_user (syscall.asm), which also closes the timed
; entry (entrystats.inc).
; From kernel mode: trap_dispatch(frame) on the current stack, then iretq
; through the (possibly edited) frame.
; trap_stubs is the table of the 256 stub addresses for the IDT.

%include "asm_offsets.inc"
%include "gprs.inc"
%include "entrystats.inc"

section .text
extern trap_dispatch, trap_user, arch_return_to_user
global trap_return_iret

; Vectors for which the CPU pushes an error code.
%define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%assign v 0
%rep 256
align 16
trap_stub_ %+ v:
%if HAS_ERR(v) == 0
	push 0
%endif
	push v
	jmp trap_common
%assign v v + 1
%endrep

trap_common:
	test qword [rsp + 24], 3        ; CS of the interrupted context
	jz trap_from_kernel
	swapgs
	PUSH_GPRS
	cld
	cmp byte [rel entry_stats_on], 0
	jne trap_stamp
trap_stamped:
	mov rdi, rsp
	mov rsp, [gs:CPU_KSTACK_TOP]
	xor ebp, ebp
	call trap_user
	jmp arch_return_to_user         ; drops the kernel lock, resumes the (possibly new) current thread

; entrystats=on, out of line: the entry's start, its vector and error code.
trap_stamp:
	mov rax, [rsp + TF_VECTOR]
	mov [gs:CPU_ENTRY_KIND], rax
	mov rax, [rsp + TF_ERROR]
	mov [gs:CPU_ENTRY_WHAT], rax
	mov qword [gs:CPU_ENTRY_INFO], 0
	ENTRY_STAMP_TSC
	jmp trap_stamped

; Resume the running thread from its saved frame with iretq.
trap_return_iret:
	mov rsp, [gs:CPU_CUR_REGS_END]
	sub rsp, TF_SIZE
	POP_GPRS
	add rsp, 16                     ; vector, error code
	swapgs
	iretq
trap_from_kernel:
	PUSH_GPRS
	cld
	mov rdi, rsp
	call trap_dispatch
	POP_GPRS
	add rsp, 16                     ; vector and error code
	iretq

section .rodata
global trap_stubs
align 8
trap_stubs:
%assign v 0
%rep 256
	dq trap_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
