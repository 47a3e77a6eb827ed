/* The IPC fastpath (kernel/fastpath.c). */
#pragma once
#include "object/tcb.h"

/* Called first on every system call (from the entry code): completes Call
 * or ReplyRecv of the current thread on the fast path and returns true, or
 * returns false for syscall_handler(). */
bool fastpath_syscall(void);
void fastpath_enable(bool on);
extern bool fastpath_on; /* fastpath=on|off; read by fastpath_syscall */
