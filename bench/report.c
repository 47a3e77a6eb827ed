/*
 * The report: one `BENCH {...}` JSON line per case (read by bench/run.sh),
 * then the classic L4 IPC table with Atoll's rows, then the targets of
 * issue 4. ASCII only: the VGA text console has no UTF-8, so the table's
 * µs column is headed "us" here (bench/run.sh shows it as µs).
 */
#include "ipc_bench.h"
#include "kstring.h"

#define BENCH_YEAR 2026

/* The historical rows, as the issue gives them. */
static const struct l4_row {
	const char *name, *year, *cpu, *mhz, *cycles, *us;
} l4_rows[] = {
	{ "Original", "1993", "i486", "50", "250", "5.00" },
	{ "Original", "1997", "Pentium", "160", "121", "0.75" },
	{ "L4/MIPS", "1997", "R4700", "100", "86", "0.86" },
	{ "L4/Alpha", "1997", "21064", "433", "45", "0.10" },
	{ "Hazelnut", "2002", "Pentium 4", "1,400", "2,000", "1.38" },
	{ "Pistachio", "2005", "Itanium", "1,500", "36", "0.02" },
	{ "OKL4", "2007", "XScale 255", "400", "151", "0.64" },
	{ "NOVA", "2010", "i7 Bloomfield (32-bit)", "2,660", "288", "0.11" },
	{ "seL4", "2017", "i7 Skylake (32-bit)", "3,400", "203", "0.06" },
	{ "seL4", "2017", "i7 Skylake (64-bit)", "3,400", "138", "0.04" },
	{ "seL4", "2017", "Cortex A53", "1,200", "225", "0.19" },
};

/* One row of the table, its columns padded so that it lines up on the
 * screen (76 columns) and is still a markdown table. */
static void table_row(const char *name, const char *year, const char *cpu, const char *mhz, const char *cyc,
		      const char *us)
{
	printf("| %-15s | %4s | %-22.22s | %5s | %6s | %5s |\n", name, year, cpu, mhz, cyc, us);
}

/* Issue 4's targets: one-way between address spaces, icount instructions,
 * with seL4 measured the same way on the same emulator. */
static const struct target {
	enum bench_case c;
	uint64_t limit, sel4;
	const char *note;
} targets[] = {
	{ CASE_NULL_SYSCALL, 50, 101, "" },
	{ CASE_CALL_INTER, 150, 209, "fastpath" },
	{ CASE_REPLYRECV_INTER, 160, 236, "fastpath" },
	{ CASE_CALL_INTER_10W, 500, 845, "slowpath" },
	{ CASE_SEND_LOW_TO_HIGH, 450, 747, "" },
};

static const char *unit_name(const struct bench_run *run)
{
	return run->icount ? "icount-instructions" : "tsc-cycles";
}

void bench_print_json(const struct bench_run *run, enum bench_case c)
{
	const struct bench_stats *s = &run->st[c];

	printf_serial("BENCH {\"name\":\"%s\",\"mean\":%llu,\"stddev\":%llu,\"min\":%llu,\"max\":%llu,"
	       "\"median\":%llu,\"samples\":%llu,\"unit\":\"%s\"}\n",
	       bench_case_name[c], (unsigned long long)s->mean, (unsigned long long)s->stddev,
	       (unsigned long long)s->min, (unsigned long long)s->max, (unsigned long long)s->median,
	       (unsigned long long)s->samples, unit_name(run));
}

/* v with thousands separators ("1,400"), into buf (at least 27 bytes). */
static const char *grouped(char *buf, uint64_t v)
{
	char digits[21];
	int n = 0, o = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n) {
		buf[o++] = digits[--n];
		if (n && n % 3 == 0)
			buf[o++] = ',';
	}
	buf[o] = 0;
	return buf;
}

/* The brand string as the table's other rows name processors: without
 * "(R)", "(TM)", " Processor" and the " CPU @ 3.40GHz" tail, so that a row
 * fits an 80-column screen. */
static const char *short_brand(const char *b, char *out, size_t size)
{
	static const char *const drop[] = { "(R)", "(r)", "(TM)", "(tm)", " Processor" };
	size_t o = 0;

	while (*b && o + 1 < size) {
		size_t skip = 0;
		for (unsigned i = 0; i < sizeof(drop) / sizeof(drop[0]) && !skip; i++)
			if (strncmp(b, drop[i], strlen(drop[i])) == 0)
				skip = strlen(drop[i]);
		if (strncmp(b, " @ ", 3) == 0 || strncmp(b, " CPU @ ", 7) == 0)
			break;
		if (!skip && !(*b == ' ' && (o == 0 || out[o - 1] == ' ')))
			out[o++] = *b;
		b += skip ? skip : 1;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = 0;
	return o ? out : "unknown CPU";
}

/* One Atoll row: cycles (or instructions) and their time at the TSC rate. */
static void atoll_row(const struct bench_run *run, const char *name, uint64_t cycles)
{
	char mhz[28], cyc[28], cpu[48], us[32], year[8];
	uint64_t hz = run->tsc_hz;
	uint64_t centi_us = hz ? (cycles * 100000000ull + hz / 2) / hz : 0;

	ksnprintf(us, sizeof(us), "%llu.%02llu", (unsigned long long)(centi_us / 100),
		  (unsigned long long)(centi_us % 100));
	ksnprintf(year, sizeof(year), "%d", BENCH_YEAR);
	table_row(name, year, short_brand(run->cpu_brand, cpu, sizeof(cpu)), grouped(mhz, (hz + 500000) / 1000000),
		  grouped(cyc, cycles), us);
}

/* The table fits an 80x25 screen with the lines above it: a title, what
 * the figures are (CPU, cores, TSC rate, unit), 2 header and 13 rows. */
static void print_table(const struct bench_run *run)
{
	char mhz[28], cpu[48];

	printf("IPC latency (one-way); Atoll rows %s\n",
	       run->icount ? "in icount INSTRUCTIONS (emulated, not cycles)"
			   : "in TSC CYCLES on this PC (real hardware)");
	printf("CPU %s, %u core%s (bench on core 0), TSC %s MHz\n", short_brand(run->cpu_brand, cpu, sizeof(cpu)),
	       run->cores, run->cores == 1 ? "" : "s", grouped(mhz, (run->tsc_hz + 500000) / 1000000));
	table_row("Name", "Year", "Processor", "MHz", "Cycles", "us");
	printf("|-----------------|------|------------------------|-------|--------|-------|\n");
	for (unsigned i = 0; i < sizeof(l4_rows) / sizeof(l4_rows[0]); i++) {
		const struct l4_row *r = &l4_rows[i];
		table_row(r->name, r->year, r->cpu, r->mhz, r->cycles, r->us);
	}
	atoll_row(run, "Atoll Call", run->st[CASE_CALL_INTER].mean);
	atoll_row(run, "Atoll ReplyRecv", run->st[CASE_REPLYRECV_INTER].mean);
}

static void print_targets(const struct bench_run *run)
{
	char ref[28];

	printf("%s\n", run->icount ? "Targets (issue 4; icount instructions, mean, one-way between address spaces):"
				  : "Targets (issue 4, in icount instructions: not judged on TSC cycles):");
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		const struct target *t = &targets[i];
		uint64_t m = run->st[t->c].mean;
		printf("  %-22s %6llu  <= %3llu  %-7s  seL4 %llu%s%s\n", bench_case_name[t->c],
		       (unsigned long long)m, (unsigned long long)t->limit,
		       !run->icount ? "n/a" : m <= t->limit ? "met" : "NOT MET", (unsigned long long)t->sel4,
		       *t->note ? "  " : "", t->note);
	}
	printf("Reference (same emulator): Linux 6.1 futex round trip %s, getppid %llu.\n",
	       grouped(ref, 10090), 337ull);
}

/* The targets are icount figures: a TSC run (a real PC) shows the table
 * alone, so that it stays on the screen whole. */
void bench_print_report(const struct bench_run *run)
{
	print_table(run);
	if (run->icount)
		print_targets(run);
}
