/*
 * Cross-cluster notifications (DESIGN §2; the protocol and its SPIN model
 * are in docs/xnotif.md). Each cluster has one inbound notification: a
 * 64-bit word in the shared region that other clusters OR badge bits into,
 * plus, in the owner's own memory, the FIFO of its threads waiting on it.
 * A capability of type XNOTIF names a cluster's inbound notification
 * (cap_paddr = the owner cluster) with a badge (the sender's bit); the
 * owner holds one with the read right (Wait, Poll), the others hold badged
 * ones with the write right (Signal).
 */
#pragma once
#include "types.h"

struct tcb;

#define XN_BADGE_BITS 55
#define XN_BADGES ((1ull << XN_BADGE_BITS) - 1)
#define XN_CORE_SHIFT 55
#define XN_CORE_MASK (0xFFull << XN_CORE_SHIFT)
#define XN_WAITING (1ull << 63)

/* The badge cluster `sender` signals with. */
static inline uint64_t xnotif_badge_of(uint32_t sender)
{
	return 1ull << (sender % XN_BADGE_BITS);
}

/* Signal `owner`'s inbound notification (any cluster, no lock needed). */
void xnotif_signal(uint32_t owner, uint64_t badge);
/* Wait (block) or poll on this cluster's inbound notification (lock held). */
void xnotif_wait(struct tcb *t, bool block);
/* The notification IPI arrived on this core (lock held). */
void xnotif_ipi(void);
/* t stops waiting (suspended, deleted); its bits stay in the word. */
void xnotif_cancel(struct tcb *t);
/* The owner's last capability went away: every waiter gets an error. */
void xnotif_cancel_all(void);
/* One of them; false when none waits. */
bool xnotif_cancel_one(void);
