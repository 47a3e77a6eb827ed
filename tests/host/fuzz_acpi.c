/*
 * libFuzzer target for acpi_parse(): the input is a fake physical memory
 * image starting at address 0, with the RSDP at offset 0. Each input is
 * parsed as given, then again with the RSDP's, the root table's and its
 * tables' checksums fixed, so the fuzzer reaches the MADT. map() returns
 * an exact-size copy of each range, so any read past it is an ASan report.
 * Every warning must be a complete "acpi: ..." line. The \_S5 scanner also
 * runs over the raw input as AML.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define MAX_MAPS 4096

struct mem {
	uint8_t *b;
	size_t size;
	void *copies[MAX_MAPS];
	size_t n;
};

static struct mem mem;
static struct acpi_info info;

static void require(int cond)
{
	if (!cond)
		abort();
}

static const void *map(void *ctx, paddr_t paddr, size_t len)
{
	struct mem *m = ctx;
	void *c;

	if (m->n == MAX_MAPS || len > m->size || paddr > m->size - len)
		return NULL;
	c = malloc(len ? len : 1);
	memcpy(c, m->b + paddr, len);
	m->copies[m->n++] = c;
	return c;
}

static unsigned warned;

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	require(strncmp(msg, "acpi: ", 6) == 0 && strlen(msg) > 10 && !strchr(msg, '\n'));
	warned++;
}

static void check_accepted(void)
{
	bool enabled = false;

	require(info.warnings == warned);
	require(info.has_fadt || info.fadt_revision == 0);
	require(!info.has_s5 || (info.s5_typa <= 7 && info.s5_typb <= 7));
	if (!info.has_madt) {
		require(info.cpu_count == 0 && info.ioapic_count == 0 && info.nmi_count == 0);
		return;
	}
	require(info.cpu_count >= 1 && info.cpu_count <= ACPI_MAX_CPUS);
	require(info.ioapic_count <= ACPI_MAX_IOAPICS);
	require(info.override_count <= ACPI_MAX_OVERRIDES && info.nmi_count <= ACPI_MAX_NMIS);
	require(info.lapic_addr && !(info.lapic_addr & 0xfff));
	for (uint32_t i = 0; i < info.cpu_count; i++) {
		enabled |= info.cpus[i].enabled;
		for (uint32_t j = 0; j < i; j++)
			require(info.cpus[i].apic_id != info.cpus[j].apic_id);
	}
	require(enabled);
	for (uint8_t irq = 0; irq < 16; irq++) {
		struct acpi_irq_mode mode;

		(void)acpi_isa_irq(&info, irq, &mode);
	}
}

static void parse_once(void)
{
	static const struct acpi_info zero;
	size_t len = mem.size < ACPI_RSDP_V2_LEN ? mem.size : ACPI_RSDP_V2_LEN;
	const char *err;

	warned = 0;
	err = acpi_parse_warn(mem.b, len, map, warn, &mem, &info);

	if (err)
		require(strlen(err) > 6 && memcmp(&info, &zero, sizeof(info)) == 0);
	else
		check_accepted();
	while (mem.n)
		free(mem.copies[--mem.n]);
}

static uint32_t rd32(size_t off)
{
	uint32_t v = 0;

	if (off + 4 <= mem.size)
		memcpy(&v, mem.b + off, 4);
	return v;
}

static uint64_t rd64(size_t off)
{
	uint64_t v = 0;

	if (off + 8 <= mem.size)
		memcpy(&v, mem.b + off, 8);
	return v;
}

static void fix_sum(size_t at, size_t len, size_t byte)
{
	uint8_t s = 0;

	if (len > mem.size || at > mem.size - len || byte >= len)
		return;
	mem.b[at + byte] = 0;
	for (size_t i = 0; i < len; i++)
		s += mem.b[at + i];
	mem.b[at + byte] = (uint8_t)-s;
}

/* Fix the checksums of the tables the root table lists, the root table's,
 * then the RSDP's. */
static void fix_checksums(void)
{
	bool x = mem.size >= 36 && mem.b[15] >= 2 && rd64(24);
	uint64_t root = x ? rd64(24) : rd32(16);
	uint32_t rlen;

	if (mem.size < 20 || root >= mem.size)
		return;
	rlen = rd32(root + 4);
	for (uint64_t off = 36; off + (x ? 8 : 4) <= rlen && root + off < mem.size; off += x ? 8 : 4) {
		uint64_t t = x ? rd64(root + off) : rd32(root + off);

		if (t < mem.size)
			fix_sum(t, rd32(t + 4), 9);
	}
	fix_sum(root, rlen, 9);
	fix_sum(0, 20, 8);
	if (mem.size >= 36 && mem.b[15] >= 2)
		fix_sum(0, rd32(20), 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off;
	uint8_t a, b;

	if (acpi_aml_find_s5(data, size, &a, &b))
		require(a <= 7 && b <= 7);
	mem.b = malloc(size ? size : 1);
	mem.size = size;
	memcpy(mem.b, data, size);
	if (acpi_find_rsdp(mem.b, size, &off))
		require(off % 16 == 0 && off + ACPI_RSDP_V1_LEN <= size);
	parse_once();
	fix_checksums();
	parse_once();
	free(mem.b);
	return 0;
}
