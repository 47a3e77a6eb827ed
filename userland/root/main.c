/* The root task: the first user program of a cluster. */
#include "atoll/atoll.h"

int main(struct abi_bootinfo *bi);
int main(struct abi_bootinfo *bi)
{
	if (bi->magic != ABI_BOOTINFO_MAGIC) {
		printf("root: bad boot information magic\n");
		return 1;
	}
	printf("root: hello from user mode; cluster %u, %u untyped caps, free slots %u-%u\n",
	       bi->cluster_id, bi->untyped_count, bi->empty_first, bi->empty_last - 1);
	printf("root: command line '%s'\n", bi->cmdline);
	return 0;
}
