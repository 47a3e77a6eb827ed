/*
 * Cross-cluster channels (docs/clusters.md): for every ordered pair of
 * clusters the kernel sets up at boot a one-page message ring in the shared
 * region and a badged capability to signal the other cluster's inbound
 * notification. This library turns them into message passing:
 *
 *   chan_send     copy a 64-byte message into the ring, then signal
 *   chan_poll     take a message if one is there (never blocks)
 *   chan_recv     poll, then block on the inbound notification, then poll...
 *   chan_recv_any the same over every channel into this cluster
 *
 * A ring is single-producer (the sending cluster) and single-consumer (the
 * receiving one). Within a cluster, one thread at a time may send on a
 * channel and one thread may receive; the inbound notification is shared by
 * all channels into the cluster, so receivers of different channels in the
 * same cluster must not block at the same time (chan_recv keeps the bits it
 * took for other channels in chan_pending).
 *
 * Ordering: the producer writes the message, then (release) the head; the
 * consumer reads the head (acquire), the message, then (release) the tail.
 * The signal comes after the head is published, so a consumer that found
 * the ring empty and then waits is woken (the kernel keeps the bit if the
 * signal came first).
 */
#pragma once
#include "atoll/atoll.h"

#define CHAN_MSG_WORDS 8
#define CHAN_SLOTS 62 /* (4096 - 2 cache lines of indices) / 64 bytes */

struct chan_ring {
	uint32_t head; /* next slot the producer writes (free-running) */
	uint8_t pad0[60];
	uint32_t tail; /* next slot the consumer reads (free-running) */
	uint8_t pad1[60];
	uint64_t slot[CHAN_SLOTS][CHAN_MSG_WORDS];
};
_Static_assert(sizeof(struct chan_ring) <= 4096, "a ring fits its page");

struct chan {
	struct chan_ring *tx, *rx;
	cptr_t signal;  /* capability to signal the peer */
	uint64_t badge; /* the peer's bit in our inbound word */
	uint32_t peer;
	bool ok;
};

/* Counters of this cluster's channel traffic (for tests and benchmarks). */
struct chan_stats {
	uint64_t sent, received, signals, waits, full_spins;
};
extern struct chan_stats chan_stats;
/* Inbound bits taken by a wait but not yet looked at. */
extern uint64_t chan_pending;

/* The channel to `peer` from the boot information; false if there is none. */
bool chan_open(struct chan *c, const struct abi_bootinfo *bi, uint32_t peer);
/* Send one message; spins (yielding) while the ring is full. */
void chan_send(struct chan *c, const uint64_t msg[CHAN_MSG_WORDS]);
/* chan_send of a short message: words 0-3, the rest zero. */
void chan_send_words(struct chan *c, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
/* Send without waiting; false if the ring is full. */
bool chan_try_send(struct chan *c, const uint64_t msg[CHAN_MSG_WORDS]);
/* Take one message if there is one. */
bool chan_poll(struct chan *c, uint64_t msg[CHAN_MSG_WORDS]);
/* Receive one message: poll `spins` times, then block until signalled. */
void chan_recv(struct chan *c, uint64_t msg[CHAN_MSG_WORDS], unsigned spins);
/* Receive from whichever of the n channels has a message (poll-then-block);
 * returns its index. */
unsigned chan_recv_any(struct chan *cs, unsigned n, uint64_t msg[CHAN_MSG_WORDS], unsigned spins);
