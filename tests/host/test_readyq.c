/* Host tests of the ready-queue bitmap (kernel/sched/readyq.c) against a
 * simple model: an array of FIFO lists scanned from the top. */
#include <string.h>
#include "check.h"
#include "readyq.h"

#define N 2000
static struct rq_node nodes[N];
static struct readyq q;

/* Model: order of insertion per priority. */
static int model[NUM_PRIOS][N];
static int mlen[NUM_PRIOS];

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static int model_top(void)
{
	for (int p = NUM_PRIOS - 1; p >= 0; p--)
		if (mlen[p])
			return p;
	return -1;
}

static void model_remove(int p, int id)
{
	for (int i = 0; i < mlen[p]; i++)
		if (model[p][i] == id) {
			memmove(&model[p][i], &model[p][i + 1], (size_t)(mlen[p] - i - 1) * sizeof(int));
			mlen[p]--;
			return;
		}
}

static void test_basic(void)
{
	readyq_init(&q);
	CHECK(readyq_peek(&q) == NULL && readyq_top_prio(&q) == -1);
	nodes[0].prio = 0;
	nodes[1].prio = 255;
	nodes[2].prio = 64;
	nodes[3].prio = 64;
	for (int i = 0; i < 4; i++)
		readyq_push_tail(&q, &nodes[i]);
	CHECK(readyq_peek(&q) == &nodes[1] && readyq_top_prio(&q) == 255);
	readyq_remove(&q, &nodes[1]);
	CHECK(readyq_peek(&q) == &nodes[2]);
	/* round robin: move head to tail */
	readyq_remove(&q, &nodes[2]);
	readyq_push_tail(&q, &nodes[2]);
	CHECK(readyq_peek(&q) == &nodes[3]);
	readyq_push_head(&q, &nodes[1]);
	CHECK(readyq_peek(&q) == &nodes[1]);
	readyq_remove(&q, &nodes[1]);
	readyq_remove(&q, &nodes[1]); /* not queued: no-op */
	readyq_remove(&q, &nodes[2]);
	readyq_remove(&q, &nodes[3]);
	CHECK(readyq_peek(&q) == &nodes[0] && readyq_top_prio(&q) == 0);
	readyq_remove(&q, &nodes[0]);
	CHECK(readyq_peek(&q) == NULL && q.group_bits == 0);
}

static void test_random(void)
{
	int bad = 0;

	readyq_init(&q);
	memset(nodes, 0, sizeof(nodes));
	memset(mlen, 0, sizeof(mlen));
	for (int step = 0; step < 200000; step++) {
		int id = (int)(rnd() % N);
		struct rq_node *n = &nodes[id];
		if (n->queued) {
			model_remove(n->prio, id);
			readyq_remove(&q, n);
		} else {
			n->prio = (uint8_t)(rnd() % 8 == 0 ? rnd() : 100 + rnd() % 8);
			if (rnd() & 1) {
				readyq_push_tail(&q, n);
				model[n->prio][mlen[n->prio]++] = id;
			} else {
				readyq_push_head(&q, n);
				memmove(&model[n->prio][1], &model[n->prio][0], (size_t)mlen[n->prio] * sizeof(int));
				model[n->prio][0] = id;
				mlen[n->prio]++;
			}
		}
		int top = model_top();
		struct rq_node *h = readyq_peek(&q);
		if (readyq_top_prio(&q) != top || (top >= 0 ? h != &nodes[model[top][0]] : h != NULL))
			bad++;
	}
	CHECK(bad == 0);
}

int main(void)
{
	test_basic();
	test_random();
	return check_summary("test_readyq");
}
