/*
 * libFuzzer target for mb2_parse(): the input, copied into an 8-aligned
 * buffer of exactly its size, is a multiboot2 information structure. Any
 * crash or sanitizer report is a bug; accepted inputs must be sane.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootinfo.h"

static struct bootinfo bi;

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_terminated(const char *s, size_t cap)
{
	require(memchr(s, 0, cap) != NULL);
}

static void check_accepted(size_t size)
{
	require(bi.mb2_size >= 16 && bi.mb2_size <= size && bi.mb2_size <= BI_MB2_MAX_SIZE);
	require(bi.mem_count >= 1 && bi.mem_count <= BI_MAX_MEM);
	require(bi.module_count <= BI_MAX_MODULES);
	check_terminated(bi.cmdline, sizeof(bi.cmdline));
	check_terminated(bi.loader, sizeof(bi.loader));
	for (uint32_t i = 0; i < bi.mem_count; i++) {
		require(bi.mem[i].len != 0 && bi.mem[i].len <= UINT64_MAX - bi.mem[i].base);
		require(bi.mem[i].type >= BI_MEM_AVAILABLE && bi.mem[i].type <= BI_MEM_BAD);
		require(i == 0 || bi.mem[i - 1].base <= bi.mem[i].base);
	}
	for (uint32_t i = 0; i < bi.module_count; i++) {
		require(bi.modules[i].start <= bi.modules[i].end);
		check_terminated(bi.modules[i].name, BI_NAME_MAX);
	}
	require(bi.fb.type <= BI_FB_INDEXED && bi.rsdp_revision <= 2 && bi.rsdp_len <= 36);
	require(!bi.has_efi_mmap || bi.efi_desc_size >= 40);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = NULL;
	const char *err;

	if (size && posix_memalign(&buf, 8, size))
		return 0;
	if (size)
		memcpy(buf, data, size);
	err = mb2_parse(buf, size, 0x10000, &bi);
	if (err) {
		static const struct bootinfo zero;
		require(strlen(err) > 0 && memcmp(&bi, &zero, sizeof(bi)) == 0);
	} else {
		check_accepted(size);
	}
	free(buf);
	return 0;
}
