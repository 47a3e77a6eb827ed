; SYSCALL entry and the return to user mode.
; Contract: syscall_entry runs on SYSCALL from 64-bit user mode with
; interrupts masked by FMASK. It saves the user context as a struct
; trapframe directly into the running thread's TCB (gs:CPU_CUR_REGS_END is
; the end of that frame), marks it VEC_SYSCALL_MARK, switches to the core's
; kernel stack and calls fastpath_syscall(), then, if that declined,
; syscall_handler() (SYS_NULL returns at once: it measures this path; it
; does no kernel work, so it makes no kernel entry: no kernel_enter, no
; kernel_exit). fastpath_syscall begins with the entry hook, kernel_enter
; (kernel/entry.h), for both paths.
; syscall_entry_compat (MSR_CSTAR) runs on SYSCALL from 32-bit
; compatibility mode, which Atoll does not serve: it saves the frame the
; CPU would have pushed for a #UD at that SYSCALL (Intel CPUs raise #UD
; there) and joins the exception path, so the thread takes a #UD fault.
; arch_return_to_user calls the exit hook, kernel_exit (kernel/entry.c:
; the invariant checks when kcheck is on, the kernel lock in clusters of
; several cores; it clobbers only what the C ABI lets it), and resumes whichever thread is current then: SYSRET for a frame saved by
; SYSCALL whose RIP is below USER_TOP (so never non-canonical: SYSRET's only
; fault, a #GP in ring 0 on the user's stack on Intel CPUs, cannot happen),
; IRETQ otherwise (trap.asm: trap_return_iret). Every return to user mode
; passes through return_unlocked, which closes the timed entry
; (entrystats.inc).

%include "asm_offsets.inc"
%include "gprs.inc"
%include "entrystats.inc"

section .text
global syscall_entry, syscall_entry_compat, arch_return_to_user, arch_return_unlocked
extern syscall_handler, fastpath_syscall, trap_return_iret, trap_user_entry, kernel_exit
extern entry_stats_record

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
	cmp byte [rel entry_stats_on], 0
	jne syscall_stamp
syscall_stamped:
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
	call kernel_exit                ; the exit hook (kernel/entry.c): checks, the kernel lock
arch_return_unlocked:                   ; (the boot self-tests enter here)
return_unlocked:
	cmp byte [rel entry_stats_on], 0
	jne exit_stamp
exit_stamped:
	mov rsp, [gs:CPU_CUR_REGS_END]
	sub rsp, TF_SIZE
	cmp qword [rsp + TF_VECTOR], VEC_SYSCALL_MARK
	jne .iret
	POP_GPRS
	; Each frame word is read once, and the registers checked are the
	; registers SYSRET uses.
	mov rcx, [rsp + TFH_RIP]
	mov r11, USER_TOP
	cmp rcx, r11
	jae .iret                       ; trap_return_iret reloads every register
	mov r11, [rsp + TFH_RFLAGS]     ; the user's own as SYSCALL saved it;
	and r11d, USER_RFLAGS_KEEP_IF   ; defence, one AND: never IOPL, VIF, VIP
	mov rsp, [rsp + TFH_RSP]        ; user stack
	swapgs
	o64 sysret
.iret:
	jmp trap_return_iret

; entrystats=on, out of line: the entry's start, its system call number and
; message info (the registers are in the frame; rax is reloaded).
syscall_stamp:
	mov [gs:CPU_ENTRY_WHAT], rax
	mov [gs:CPU_ENTRY_INFO], rsi
	mov qword [gs:CPU_ENTRY_KIND], VEC_SYSCALL_MARK
	ENTRY_STAMP_TSC
	mov rax, [rsp + TF_RAX]
	jmp syscall_stamped

; entrystats=on: close the entry. Its length less the time spent waiting
; for the kernel lock, if longer than this core's longest so far, goes to
; entry_stats_record (on the kernel stack: rsp may point into a TCB here).
; Every register is restored from the frame afterwards.
exit_stamp:
	mov rdx, [gs:CPU_ENTRY_TSC]
	test rdx, rdx
	jz exit_stamped                 ; none open (a core's first entry to user mode)
	mov rcx, rdx
	rdtsc
	shl rdx, 32
	or rax, rdx
	sub rax, rcx
	sub rax, [gs:CPU_ENTRY_LOCKWAIT]
	mov qword [gs:CPU_ENTRY_TSC], 0
	cmp rax, [gs:CPU_ENTRY_MAX]
	jbe exit_stamped
	mov rdi, rax
	mov rsp, [gs:CPU_KSTACK_TOP]
	call entry_stats_record
	jmp exit_stamped

; SYSCALL from compatibility mode: CS and SS are the kernel's (STAR), RCX
; the (32-bit) address after the instruction, R11 the user's RFLAGS, RSP
; still the user's; interrupts masked by FMASK like the 64-bit entry.
syscall_entry_compat:
	swapgs
	mov [gs:CPU_USER_RSP], rsp
	mov dword [gs:CPU_USER_RSP_HI], 0 ; ESP: bits 63-32 are undefined after compatibility mode
	mov rsp, [gs:CPU_CUR_REGS_END]
	push SEL_USER_DATA              ; ss
	push qword [gs:CPU_USER_RSP]    ; rsp
	push r11                        ; rflags
	push SEL_USER_CODE32            ; cs: it resumes in compatibility mode
	sub ecx, SYSCALL_INSN_LEN       ; rip: the SYSCALL itself, as for a #UD there
	push rcx
	push 0                          ; error code
	push VEC_UD_NO                  ; vector: #UD
	jmp trap_user_entry             ; rcx and r11 stay as SYSCALL left them

section .note.GNU-stack noalloc noexec nowrite progbits
