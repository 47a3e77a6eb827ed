; Interrupt and exception entry.
; Contract: every vector has a stub that makes the frame uniform (pushes a
; zero error code where the CPU pushes none, then the vector number) and
; jumps to trap_common, which saves the general registers as a struct
; trapframe (arch/trap.h).
; From user mode the frame lands in the running thread's TCB (TSS.rsp0 is
; the end of its saved registers): GS is swapped, the core's kernel stack
; is loaded, trap_user(frame) runs and the current thread is resumed
; through arch_return_to_user (syscall.asm), which also runs the invariant
; checks (kcheck) and closes the timed entry (entrystats.inc).
; From kernel mode: trap_dispatch(frame) on the current stack, then iretq
; through the (possibly edited) frame; except a fault of the IRETQ that
; returns to user mode (user_iretq, GS already the user's): that one is the
; thread's, not the kernel's (trap_return_fault).
; trap_return_iret resumes the current thread: it builds the IRETQ frame on
; the core's kernel stack from the thread's saved one, with CS and SS forced
; to ring 3 and RFLAGS reduced to what user mode may hold, so that nothing
; in the TCB can take the CPU to ring 0 or give a thread IOPL, and a frame
; the CPU still refuses faults on a known stack with the TCB intact.
; trap_stubs is the table of the 256 stub addresses for the IDT.

%include "asm_offsets.inc"
%include "gprs.inc"
%include "entrystats.inc"

section .text
extern trap_dispatch, trap_user, trap_return_fault, arch_return_to_user
global trap_return_iret, trap_user_entry, user_iretq

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
	test qword [rsp + TFH_CS], 3    ; CS of the interrupted context
	jz trap_from_kernel
	swapgs
trap_user_entry:                        ; syscall_entry_compat joins here
	PUSH_GPRS
	mov rdi, rsp
	mov rsp, [gs:CPU_KSTACK_TOP]    ; (nothing may be pushed below the frame: it
	push 2                          ; starts its TCB) RFLAGS = 2: DF and AC clear (the
	popfq                           ; CPU clears neither: AC from user mode voids SMAP)
	cmp byte [rel entry_stats_on], 0
	jne trap_stamp
trap_stamped:
	xor ebp, ebp
	call trap_user
	jmp arch_return_to_user         ; drops the kernel lock, resumes the (possibly new) current thread

; entrystats=on, out of line: the entry's start, its vector and error code
; (rdi: the frame; rax and rdx are saved in it).
trap_stamp:
	mov rax, [rdi + TF_VECTOR]
	mov [gs:CPU_ENTRY_KIND], rax
	mov rax, [rdi + TF_ERROR]
	mov [gs:CPU_ENTRY_WHAT], rax
	mov qword [gs:CPU_ENTRY_INFO], 0
	ENTRY_STAMP_TSC
	jmp trap_stamped

; Resume the running thread from its saved frame with iretq.
trap_return_iret:
	mov rsi, [gs:CPU_CUR_REGS_END]  ; the end of its frame in its TCB
	mov rsp, [gs:CPU_KSTACK_TOP]    ; nothing is live on the kernel stack now
	mov rax, [rsi - TF_SIZE + TF_SS]
	or rax, 3
	push rax                        ; ss, ring 3
	push qword [rsi - TF_SIZE + TF_RSP]
	mov rax, [rsi - TF_SIZE + TF_RFLAGS]
	and eax, USER_RFLAGS_KEEP
	or eax, USER_RFLAGS_SET
	push rax                        ; rflags: IF set; no IOPL, VM, RF, VIF, VIP
	mov rax, [rsi - TF_SIZE + TF_CS]
	or rax, 3
	push rax                        ; cs, ring 3
	push qword [rsi - TF_SIZE + TF_RIP]
	sub rsi, TF_SIZE
	mov r15, [rsi + TF_R15]
	mov r14, [rsi + TF_R14]
	mov r13, [rsi + TF_R13]
	mov r12, [rsi + TF_R12]
	mov r11, [rsi + TF_R11]
	mov r10, [rsi + TF_R10]
	mov r9, [rsi + TF_R9]
	mov r8, [rsi + TF_R8]
	mov rbp, [rsi + TF_RBP]
	mov rdi, [rsi + TF_RDI]
	mov rdx, [rsi + TF_RDX]
	mov rcx, [rsi + TF_RCX]
	mov rbx, [rsi + TF_RBX]
	mov rax, [rsi + TF_RAX]
	mov rsi, [rsi + TF_RSI]
	swapgs
user_iretq:
	iretq

trap_from_kernel:
	push rax
	lea rax, [rel user_iretq]
	cmp rax, [rsp + 8 + TFH_RIP]    ; the faulting RIP (above it: the rax just pushed)
	pop rax
	je iret_fault
	PUSH_GPRS
	cld
	mov rdi, rsp
	call trap_dispatch
	POP_GPRS
	add rsp, TFH_RIP                ; vector and error code
	iretq

; The CPU refused the IRETQ to user mode (#GP, #SS, #NP: a frame it will
; not load): GS is the user's (NMI and #MC have their own entry, ist.asm). Back to
; the kernel's GS, then the kernel stack afresh (this frame lies just below
; its top) and trap_return_fault(vector, error).
iret_fault:
	swapgs
	mov rdi, [rsp + TFH_VECTOR]
	mov rsi, [rsp + TFH_ERROR]
	mov rsp, [gs:CPU_KSTACK_TOP]
	xor ebp, ebp
	cld
	call trap_return_fault          ; does not return
	ud2

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
