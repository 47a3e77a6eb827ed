; SYSCALL entry and the return to user mode.
; Contract: syscall_entry runs on SYSCALL from user mode with interrupts
; masked by FMASK. It saves the user context as a struct trapframe directly
; into the running thread's TCB (gs:CPU_CUR_REGS_END is the end of that
; frame), marks it VEC_SYSCALL_MARK, switches to the core's kernel stack and
; calls fastpath_syscall(), then, if that declined, syscall_handler()
; (SYS_NULL returns at once: it measures this path; it takes no kernel
; lock). arch_return_to_user runs the invariant checks when kcheck is on
; (kcheck_after_entry, under the lock: one compare and a branch not taken
; otherwise), drops the kernel lock (clusters of several cores) and
; resumes whichever thread is current then: SYSRET for a frame saved by SYSCALL whose RIP is a safe user
; address (below USER_TOP, so never non-canonical), IRETQ otherwise.

%include "asm_offsets.inc"
%include "gprs.inc"

USER_TOP equ 0x00007FFFFFFFF000

section .text
global syscall_entry, arch_return_to_user
extern syscall_handler, fastpath_syscall, trap_return_iret, klock_exit, klock_active
extern kcheck_on, kcheck_after_entry

syscall_entry:
	swapgs
	mov [gs:CPU_USER_RSP], rsp
	mov rsp, [gs:CPU_CUR_REGS_END]
	push SEL_USER_DATA              ; ss
	push qword [gs:CPU_USER_RSP]    ; rsp
	push r11                        ; rflags
	push SEL_USER_CODE              ; cs
	push rcx                        ; rip
	push 0                          ; error code
	push VEC_SYSCALL_MARK           ; vector
	PUSH_GPRS
	cmp rax, SYS_NULL_NO
	jne .kernel
	mov qword [rsp + TF_RAX], 0     ; SYS_NULL: the entry and exit path alone
	jmp return_unlocked
.kernel:
	mov rsp, [gs:CPU_KSTACK_TOP]
	xor ebp, ebp
	call fastpath_syscall
	test al, al
	jnz arch_return_to_user
	call syscall_handler
	; fall through

arch_return_to_user:
	cmp byte [rel kcheck_on], 0     ; kcheck=on|full: check the invariants first
	jne kcheck_exit
kcheck_done:
	cmp byte [rel klock_active], 0  ; a cluster of several cores: drop the kernel lock
	je return_unlocked
	call klock_exit
return_unlocked:
	mov rsp, [gs:CPU_CUR_REGS_END]
	sub rsp, TF_SIZE
	cmp qword [rsp + TF_VECTOR], VEC_SYSCALL_MARK
	jne .iret
	mov rcx, USER_TOP
	cmp [rsp + TF_RIP], rcx
	jae .iret
	POP_GPRS
	mov rcx, [rsp + 16]             ; rip
	mov r11, [rsp + 32]             ; rflags
	mov rsp, [rsp + 40]             ; user stack
	swapgs
	o64 sysret
.iret:
	jmp trap_return_iret

; Out of line, so that the path above only compares: the invariant checks.
kcheck_exit:
	call kcheck_after_entry
	jmp kcheck_done

section .note.GNU-stack noalloc noexec nowrite progbits
