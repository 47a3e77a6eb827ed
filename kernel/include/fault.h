/* User-thread faults (see kernel/fault.c). Message layout, label FAULT_VM:
 * MR0 = rip, MR1 = fault address, MR2 = vector (14), MR3 = error code;
 * label FAULT_EXCEPTION: MR0 = rip, MR1 = rsp, MR2 = vector, MR3 = error code. */
#pragma once
#include "object/tcb.h"

#define FAULT_VM 1
#define FAULT_EXCEPTION 2

void fault_raise(struct tcb *t, uint64_t label, const uint64_t info[4]);
