/* The IPC buffer: one 4 KiB-aligned frame per thread, set by TCB_CONFIGURE.
 * Message words 0-3 travel in registers; words 4.. are read from here. Two
 * calls use the buffer's low words too: TCB_WRITE_REGISTERS reads the
 * values from mr[2..], DEBUG_STATS writes its counters to mr[0..11]. The
 * thread's other threads may rewrite any word at any time: the kernel
 * reads each word it decides on once. */
#pragma once
#include <stdint.h>
#include "abi/abi.h"

struct ipc_buffer {
	uint64_t mr[MSG_MAX_WORDS];          /* message words (0-3 in registers, but see above) */
	uint64_t caps[MSG_MAX_EXTRA_CAPS];   /* send: cptrs of extra caps; receive: badges */
	uint64_t receive_cnode;              /* CNode cptr for a received cap (0: none) */
	uint64_t receive_index;              /* slot index in that CNode */
	uint64_t user_data;                  /* free for the runtime (e.g. thread pointer) */
};
_Static_assert(sizeof(struct ipc_buffer) <= 4096, "IPC buffer fits a page");
