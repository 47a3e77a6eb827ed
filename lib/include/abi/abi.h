/* The system-call ABI, generated from the .def files. Included by the kernel
 * and by userland/. */
#pragma once

enum syscall_no {
#define X(name, num, doc) SYS_##name = num,
#include "abi/syscalls.def"
#undef X
};

enum atoll_error {
#define X(name, num, doc) E_##name = num,
#include "abi/errors.def"
#undef X
	E_COUNT
};

enum obj_type {
#define X(name, num, bits) OBJ_##name = num,
#include "abi/objects.def"
#undef X
	OBJ_COUNT
};

enum inv_label {
#define X(name, num, obj, args) INV_##name = num,
#include "abi/labels.def"
#undef X
};

/* Error detail returned in MR0 with E_FAILED_LOOKUP: what went wrong, and
 * MR1 = bits left unresolved. */
enum lookup_fault {
	LOOKUP_INVALID_ROOT = 1,   /* the CSpace root is not a CNode */
	LOOKUP_MISSING_CAP = 2,    /* an empty slot (or not a CNode mid-path) */
	LOOKUP_DEPTH_MISMATCH = 3, /* the address ran out of bits (or overran) */
	LOOKUP_GUARD_MISMATCH = 4, /* a guard did not match */
};

/* User addresses lie below ABI_USER_TOP: frames and tables map there, and a
 * thread's rip and rsp must be below it. The last page of the lower half
 * is never user memory, so SYSRET never returns to a non-canonical rip. */
#define ABI_USER_TOP 0x00007FFFFFFFF000ull

/* Rights bits of a capability. */
#define RIGHT_READ 1u
#define RIGHT_WRITE 2u
#define RIGHT_GRANT 4u
#define RIGHT_GRANT_REPLY 8u
#define RIGHTS_ALL 15u

/* What a debug capability's rights allow (OBJ_DEBUG; docs/abi.md). The
 * exit right is the one authority over every cluster: the run ends. */
#define DEBUG_RIGHT_STATS RIGHT_READ /* DEBUG_STATS: read this cluster's counters */
#define DEBUG_RIGHT_PUTS RIGHT_WRITE /* DEBUG_PUTS; with the stats right: reset counters */
#define DEBUG_RIGHT_EXIT RIGHT_GRANT /* DEBUG_EXIT: end the run */
/* Longest DEBUG_PUTS (a long line of the suite's, the runtime's printf
 * buffer); a longer one fails with E_RANGE_ERROR, unprinted. */
#define DEBUG_PUTS_MAX 512
/* DEBUG_PUTS flags (MR2); other bits: E_INVALID_ARGUMENT. */
#define DEBUG_PUTS_SERIAL_ONLY 1u /* the serial line (and port 0xE9) only, not the screen:
                                     machine-read lines such as a benchmark's BENCH {...} */
#define DEBUG_PUTS_FLAGS DEBUG_PUTS_SERIAL_ONLY

/* Message info word: label (bits 12-63), caps unwrapped (9-11), extra caps
 * (7-8), length in words (0-6). */
#define MSG_MAX_WORDS 120
#define MSG_REG_WORDS 4
#define MSG_MAX_EXTRA_CAPS 3
static inline unsigned long msginfo(unsigned long label, unsigned caps_unwrapped,
				    unsigned extra_caps, unsigned length)
{
	return label << 12 | (unsigned long)(caps_unwrapped & 7) << 9 |
	       (unsigned long)(extra_caps & 3) << 7 | (length & 0x7F);
}
#define MSGINFO_LABEL(m) ((m) >> 12)
#define MSGINFO_UNWRAPPED(m) (((m) >> 9) & 7)
#define MSGINFO_EXTRA_CAPS(m) (((m) >> 7) & 3)
#define MSGINFO_LENGTH(m) ((m) & 0x7F)
