/*
 * acpi_parse() over the tables of every machine in the ACPI corpus
 * (../shared/acpi-corpus/data, README.md there): each machine's files are
 * placed in a fake physical memory where its layout.txt says, the parser is
 * handed its RSDP, and what it finds must match the manifest that ACPICA's
 * disassembler decoded from the same dump: enabled CPUs, x2APIC CPUs, I/O
 * APICs, overrides, NMIs (kept + left out), MADT and FADT revisions. A
 * synthetic DSDT with a \_S5 package is put where each real FADT points, so
 * the FADT -> DSDT -> \_S5 path runs over real FADTs. Every machine is
 * parsed a second time with its tables moved above 4 GiB (XSDT and RSDP
 * rewritten). Only known kinds of warnings are allowed; the run prints what
 * it saw. Exit status 1, loudly, if the corpus is missing or incomplete.
 *
 * usage: test_acpi_corpus [DATA_DIR] (default: $ATOLL_ACPI_CORPUS, which
 * tests/host/CMakeLists.txt sets to ${ATOLL_ROOT}/../shared/acpi-corpus/data)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "check.h"

#define MAX_REGIONS 256
#define MAX_COPIES 1024
#define HIGH_SHIFT 0x200000000ull /* 8 GiB: the relocated run */

struct region {
	uint64_t paddr;
	uint32_t len;
	uint8_t *b;
};

/* A machine's fake physical memory: regions, and the copies map() made. */
static struct {
	struct region r[MAX_REGIONS];
	int n;
	void *copies[MAX_COPIES];
	int ncopies;
} mem;

static const void *map(void *ctx, paddr_t paddr, size_t len)
{
	(void)ctx;
	for (int i = 0; i < mem.n; i++) {
		const struct region *r = &mem.r[i];
		void *c;

		if (paddr < r->paddr || len > r->len || paddr - r->paddr > r->len - len)
			continue;
		if (mem.ncopies == MAX_COPIES)
			return NULL;
		c = malloc(len ? len : 1);
		memcpy(c, r->b + (paddr - r->paddr), len);
		mem.copies[mem.ncopies++] = c;
		return c;
	}
	return NULL;
}

static void mem_reset(void)
{
	while (mem.ncopies)
		free(mem.copies[--mem.ncopies]);
	while (mem.n)
		free(mem.r[--mem.n].b);
}

/* --- files --- */

static uint8_t *read_file(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *b;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(n > 0 ? (size_t)n : 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* The manifest's value for `key`, or -1. */
static long manifest(const char *text, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, k) == 0 && p[k] == '=')
			return strtol(p + k + 1, NULL, 10);
	return -1;
}

static void add_region(uint64_t paddr, const uint8_t *b, uint32_t len)
{
	struct region *r;

	if (mem.n == MAX_REGIONS)
		abort();
	r = &mem.r[mem.n++];
	r->paddr = paddr;
	r->len = len;
	r->b = malloc(len ? len : 1);
	memcpy(r->b, b, len);
}

static bool overlaps(uint64_t paddr, uint32_t len)
{
	for (int i = 0; i < mem.n; i++)
		if (paddr < mem.r[i].paddr + mem.r[i].len && mem.r[i].paddr < paddr + len)
			return true;
	return false;
}

/* Place every `table` line of layout.txt, `shift` bytes higher. */
static bool place_tables(const char *dir, const char *layout, uint64_t shift)
{
	const char *p = layout;
	char line[256];

	while (*p) {
		size_t n = strcspn(p, "\n"), flen;
		unsigned long long paddr;
		unsigned off, len;
		char file[64], sig[8];
		uint8_t *b;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (sscanf(line, "table %llx %63s %u %u %7s", &paddr, file, &off, &len, sig) != 5)
			continue;
		if (!(b = read_file(dir, file, &flen)) || off + (size_t)len > flen) {
			fprintf(stderr, "%s: layout line '%s' does not fit %s\n", dir, line, file);
			free(b);
			return false;
		}
		add_region(paddr + shift, b + off, len);
		free(b);
	}
	return true;
}

/* --- checksums and relocation --- */

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static struct region *region_at(uint64_t paddr)
{
	for (int i = 0; i < mem.n; i++)
		if (mem.r[i].paddr == paddr)
			return &mem.r[i];
	return NULL;
}

/* Move the root to XSDT-only and every table `shift` up: the XSDT's entries
 * and the RSDP's XSDT address are rewritten, checksums kept right. */
static bool relocate(uint8_t *rsdp, uint64_t shift)
{
	uint64_t xsdt;
	struct region *x;

	memcpy(&xsdt, rsdp + 24, 8);
	if (!xsdt || !(x = region_at(xsdt + shift)) || x->len < 36)
		return false;
	for (uint32_t off = 36; off + 8 <= x->len; off += 8) {
		uint64_t e;

		memcpy(&e, x->b + off, 8);
		e += e ? shift : 0;
		memcpy(x->b + off, &e, 8);
	}
	x->b[9] = 0;
	x->b[9] = (uint8_t)-sum(x->b, x->len);
	xsdt += shift;
	memcpy(rsdp + 24, &xsdt, 8);
	memset(rsdp + 16, 0, 4); /* no RSDT: it cannot point above 4 GiB */
	rsdp[8] = 0, rsdp[8] = (uint8_t)-sum(rsdp, 20);
	rsdp[32] = 0, rsdp[32] = (uint8_t)-sum(rsdp, 36);
	return true;
}

/* A DSDT whose body is `Name (\_S5, Package (4) { a, b, Zero, Zero })`
 * behind a few other names, placed at `paddr` if that is free. */
static bool place_dsdt(uint64_t paddr, uint8_t a, uint8_t b)
{
	static const uint8_t before[] = {
		0x08, '_', 'S', '0', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00, /* _S0 */
		0x08, '_', 'S', '3', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	uint8_t t[128] = "DSDT";
	uint32_t len = 36;

	memcpy(t + len, before, sizeof(before));
	len += sizeof(before);
	memcpy(t + len, (uint8_t[]){ 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				     0x0a, a, 0x0a, b, 0x00, 0x00 }, 15);
	len += 15;
	memcpy(t + 4, &len, 4);
	t[8] = 2;
	t[9] = (uint8_t)-sum(t, len);
	if (!paddr || overlaps(paddr, len))
		return false;
	add_region(paddr, t, len);
	return true;
}

/* --- warnings --- */

/* The kinds of warning real firmware may give (anything else fails). */
static const char *const known[] = {
	"cannot be mapped",          /* XSDT entries the dump did not have */
	"a second MADT",             /* two machines list two */
	"names a LINT pin other",    /* two machines: uninitialised NMI entries */
};
static unsigned known_count[sizeof(known) / sizeof(known[0])];
static unsigned unknown_warnings;
static const char *machine_id;

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strstr(msg, known[i])) {
			known_count[i]++;
			return;
		}
	}
	unknown_warnings++;
	fprintf(stderr, "%s: unexpected warning: %s\n", machine_id, msg);
}

/* --- one machine --- */

static struct acpi_info info;
static struct {
	unsigned machines, cpus, ioapics, nmis, nmi_dropped, big_nmi, x2apic_machines;
	unsigned reset_usable, s5_found, high_ok, hw_reduced, sleep_control;
} fig;

static unsigned enabled_cpus(bool x2apic_only)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < info.cpu_count; i++)
		n += info.cpus[i].enabled && (!x2apic_only || info.cpus[i].x2apic);
	return n;
}

/* What the parse gave must be what the manifest lists. */
static bool matches(const char *id, const char *man)
{
	long want_nmis = manifest(man, "nmis_dump");
	bool ok = true;

#define EXPECT_EQ(got, key)                                                             \
	do {                                                                            \
		long w_ = manifest(man, key);                                           \
		if ((long)(got) != w_) {                                                \
			fprintf(stderr, "%s: %s: parsed %ld, manifest %ld\n", id, key,  \
				(long)(got), w_);                                       \
			ok = false;                                                     \
		}                                                                       \
	} while (0)
	EXPECT_EQ(enabled_cpus(false), "cpus_enabled_dump");
	EXPECT_EQ(enabled_cpus(true), "x2apic_enabled_dump");
	EXPECT_EQ(info.ioapic_count, "ioapics_dump");
	EXPECT_EQ(info.override_count, "overrides_dump");
	EXPECT_EQ(info.nmi_count + info.dropped.nmis, "nmis_dump");
	EXPECT_EQ(info.madt_revision, "madt_revision");
	EXPECT_EQ(info.fadt_revision, "fadt_revision");
#undef EXPECT_EQ
	ok &= info.has_madt && info.has_fadt && want_nmis >= 0;
	ok &= info.dropped.cpus == 0 && info.dropped.ioapics == 0 && info.dropped.overrides == 0;
	return ok;
}

static bool run(const char *id, const uint8_t *rsdp, size_t rsdp_len, const char *man)
{
	const char *err;
	bool ok;

	machine_id = id;
	err = acpi_parse_warn(rsdp, rsdp_len, map, warn, NULL, &info);
	if (err) {
		fprintf(stderr, "%s: rejected: %s\n", id, err);
		return false;
	}
	ok = matches(id, man);
	while (mem.ncopies)
		free(mem.copies[--mem.ncopies]);
	return ok;
}

static void machine(const char *dir, const char *id)
{
	size_t rlen, mlen, llen;
	uint8_t *rsdp = read_file(dir, "RSDP.bin", &rlen);
	char *man = (char *)read_file(dir, "manifest.txt", &mlen);
	char *layout = (char *)read_file(dir, "layout.txt", &llen);
	uint8_t a = (uint8_t)(fig.machines % 8), b = (uint8_t)((fig.machines + 3) % 8);

	fig.machines++;
	if (!rsdp || !man || !layout) {
		fprintf(stderr, "%s: RSDP.bin, manifest.txt or layout.txt missing\n", id);
		CHECK(false);
		goto out;
	}
	man = realloc(man, mlen + 1), man[mlen] = 0;
	layout = realloc(layout, llen + 1), layout[llen] = 0;

	CHECK(place_tables(dir, layout, 0));
	CHECK(run(id, rsdp, rlen, man));
	fig.cpus += enabled_cpus(false);
	fig.ioapics += info.ioapic_count;
	fig.nmis += info.nmi_count;
	fig.nmi_dropped += info.dropped.nmis;
	fig.big_nmi += info.nmi_count + info.dropped.nmis > 16;
	fig.x2apic_machines += enabled_cpus(true) > 0;
	fig.reset_usable += acpi_reset_port(&info) != 0;
	fig.hw_reduced += info.hw_reduced;
	fig.sleep_control += acpi_sleep_control_port(&info) != 0;

	/* Again with a DSDT where the FADT points: \_S5 must come through. */
	if (place_dsdt(info.dsdt_paddr, a, b)) {
		CHECK(run(id, rsdp, rlen, man));
		CHECK(info.has_s5 && info.s5_typa == a && info.s5_typb == b);
		fig.s5_found += info.has_s5;
	}

	/* Again 8 GiB up, XSDT only. */
	mem_reset();
	CHECK(place_tables(dir, layout, HIGH_SHIFT));
	if (rlen >= 36 && relocate(rsdp, HIGH_SHIFT)) {
		bool ok = run(id, rsdp, rlen, man);

		CHECK(ok && info.xsdt && info.root_paddr > HIGH_SHIFT);
		CHECK(info.madt_paddr > HIGH_SHIFT);
		fig.high_ok += ok;
	} else {
		fprintf(stderr, "%s: could not be moved above 4 GiB\n", id);
		CHECK(false);
	}
out:
	mem_reset();
	free(rsdp);
	free(man);
	free(layout);
}

/* --- the corpus --- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Machines listed in INDEX.tsv (lines after the header), -1 if unreadable. */
static long index_count(const char *data)
{
	size_t len;
	char *t = (char *)read_file(data, "INDEX.tsv", &len);
	long n = -1;

	for (size_t i = 0; t && i < len; i++)
		n += t[i] == '\n';
	free(t);
	return n;
}

int main(int argc, char **argv)
{
	const char *data = argc == 2 ? argv[1] : getenv("ATOLL_ACPI_CORPUS");
	char *names[1024], dir[1024];
	int n = 0;
	long listed;
	DIR *d;
	struct dirent *e;

	if (!data || !(d = opendir(data))) {
		fprintf(stderr, "FAIL: the ACPI corpus directory '%s' is not there (it lives at "
				"../shared/acpi-corpus/data beside the source tree)\n",
			data ? data : "(none given)");
		return 1;
	}
	while ((e = readdir(d)) && n < 1024) {
		size_t len;
		uint8_t *probe;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", data, e->d_name);
		if ((probe = read_file(dir, "manifest.txt", &len)))
			names[n++] = strdup(e->d_name);
		free(probe);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	listed = index_count(data);
	printf("  corpus: %d machines with a manifest, INDEX.tsv lists %ld\n", n, listed);
	CHECK(n >= 1 && n == listed);
	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", data, names[i]);
		machine(dir, names[i]);
		free(names[i]);
	}
	printf("  %u machines: %u enabled CPUs, %u I/O APICs, %u NMI entries kept, %u left out "
	       "(bad LINT); %u machines with more than 16 NMI entries; %u with x2APIC CPUs\n",
	       fig.machines, fig.cpus, fig.ioapics, fig.nmis, fig.nmi_dropped, fig.big_nmi,
	       fig.x2apic_machines);
	printf("  FADT reset register usable (I/O space, 8 bits): %u machines; \\_S5 found in "
	       "the synthetic DSDT: %u; parsed the same above 4 GiB: %u\n", fig.reset_usable,
	       fig.s5_found, fig.high_ok);
	printf("  hardware-reduced ACPI: %u machines, %u with a usable Sleep Control Register\n",
	       fig.hw_reduced, fig.sleep_control);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		printf("  warnings '%s': %u\n", known[i], known_count[i]);
	CHECK(unknown_warnings == 0);
	CHECK(fig.high_ok == fig.machines && fig.s5_found > 0);
	return check_summary("test_acpi_corpus");
}
