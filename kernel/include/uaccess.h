/* Access to a thread's memory from the kernel, through its page tables and
 * the direct map (never by user addresses, so SMAP stays on and a bad
 * address is an error, not a kernel fault). */
#pragma once
#include "object/tcb.h"

/* Copy len bytes from user va in t's address space; false if any byte is
 * unmapped (or, for writes, read-only). */
bool uaccess_read(struct tcb *t, void *dst, vaddr_t va, size_t len);
bool uaccess_write(struct tcb *t, vaddr_t va, const void *src, size_t len);
