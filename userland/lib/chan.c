/* Cross-cluster message rings over the boot channels (see atoll/chan.h). */
#include "atoll/chan.h"

struct chan_stats chan_stats;
uint64_t chan_pending;

bool chan_open(struct chan *c, const struct abi_bootinfo *bi, uint32_t peer)
{
	const struct abi_channel *ch;

	c->ok = false;
	if (peer >= bi->cluster_count || peer >= ABI_MAX_CLUSTERS || peer == bi->cluster_id)
		return false;
	ch = &bi->chan[peer];
	if (!ch->tx_vaddr || !ch->rx_vaddr || !ch->signal_slot)
		return false;
	c->tx = (struct chan_ring *)(uintptr_t)ch->tx_vaddr;
	c->rx = (struct chan_ring *)(uintptr_t)ch->rx_vaddr;
	c->signal = ch->signal_slot;
	c->badge = ch->badge;
	c->peer = peer;
	c->ok = true;
	return true;
}

bool chan_try_send(struct chan *c, const uint64_t msg[CHAN_MSG_WORDS])
{
	struct chan_ring *r = c->tx;
	uint32_t head = r->head; /* only we write it */

	if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= CHAN_SLOTS)
		return false;
	for (unsigned i = 0; i < CHAN_MSG_WORDS; i++)
		r->slot[head % CHAN_SLOTS][i] = msg[i];
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	atoll_ntfn_signal(c->signal);
	chan_stats.sent++;
	chan_stats.signals++;
	return true;
}

void chan_send(struct chan *c, const uint64_t msg[CHAN_MSG_WORDS])
{
	while (!chan_try_send(c, msg)) {
		chan_stats.full_spins++;
		atoll_yield(); /* the consumer is in another cluster: give our core away */
	}
}

void chan_send_words(struct chan *c, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t m[CHAN_MSG_WORDS] = { w0, w1, w2, w3 };

	chan_send(c, m);
}

bool chan_poll(struct chan *c, uint64_t msg[CHAN_MSG_WORDS])
{
	struct chan_ring *r = c->rx;
	uint32_t tail = r->tail; /* only we write it */

	if (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == tail)
		return false;
	for (unsigned i = 0; i < CHAN_MSG_WORDS; i++)
		msg[i] = r->slot[tail % CHAN_SLOTS][i];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	chan_stats.received++;
	return true;
}

/* Block on the inbound notification until one of `mask`'s bits is set. */
static void wait_bits(uint64_t mask)
{
	while (!(chan_pending & mask)) {
		struct ipc_result r = atoll_ntfn_wait(ROOT_XNOTIF);
		chan_stats.waits++;
		if (r.err != E_OK) /* no inbound notification: poll only */
			return;
		chan_pending |= r.badge;
	}
	chan_pending &= ~mask;
}

void chan_recv(struct chan *c, uint64_t msg[CHAN_MSG_WORDS], unsigned spins)
{
	for (;;) {
		for (unsigned i = 0; i <= spins; i++)
			if (chan_poll(c, msg))
				return;
		wait_bits(c->badge);
	}
}

unsigned chan_recv_any(struct chan *cs, unsigned n, uint64_t msg[CHAN_MSG_WORDS], unsigned spins)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < n; i++)
		mask |= cs[i].ok ? cs[i].badge : 0;
	for (;;) {
		for (unsigned s = 0; s <= spins; s++)
			for (unsigned i = 0; i < n; i++)
				if (cs[i].ok && chan_poll(&cs[i], msg))
					return i;
		wait_bits(mask);
	}
}
