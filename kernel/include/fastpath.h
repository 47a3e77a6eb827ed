/* The IPC fastpath (kernel/fastpath.c). */
#pragma once
#include "object/tcb.h"

/* Try Call or ReplyRecv on the fast path; true if it was completed. */
bool fastpath_try(struct tcb *t);
void fastpath_enable(bool on);
