/*
 * bench_server: the server of the between-address-spaces cases, started by
 * the bench root task with process_spawn (boot module "bench_server").
 * Its argument says what to serve (bench.h); the endpoint and reply object
 * are in BENCH_SLOT_EP and BENCH_SLOT_REPLY, the shared page at
 * BENCH_SHM_VADDR. It never returns (crt0 would end the whole run).
 */
#include "bench.h"

int main(uint64_t arg);

int main(uint64_t arg)
{
	bench_rdtscp = (arg >> 16) & 1;
	bench_serve(BENCH_SHM, BENCH_SLOT_EP, BENCH_SLOT_REPLY, (enum bench_mode)(arg & 0xFF),
		    (unsigned)((arg >> 8) & 0xFF));
}
