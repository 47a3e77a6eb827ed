/*
 * GSI -> I/O APIC routing (arch/x86_64/ioapic_route.c) with several I/O
 * APICs: each GSI goes to the one whose [gsi_base, gsi_base + pins) holds
 * it, at pin gsi - gsi_base; holes and GSIs past the last are nobody's; an
 * I/O APIC that did not answer (0 pins) serves nothing; overlapping ranges
 * from bad firmware go to the first listed; no overflow near 2^32.
 */
#include <stdint.h>
#include <stdio.h>

#include "arch/ioapic_route.h"
#include "check.h"

static int route(const struct ioapic_range *io, uint32_t n, uint32_t gsi, uint32_t *pin)
{
	*pin = 0xdead;
	return ioapic_for_gsi(io, n, gsi, pin);
}

int main(void)
{
	/* A dual-socket server: 24 + 32 + 32 pins, listed out of order, a hole at 56-63. */
	const struct ioapic_range server[] = { { 0, 24 }, { 64, 32 }, { 24, 32 } };
	const struct ioapic_range dead[] = { { 0, 24 }, { 24, 0 }, { 48, 8 } };
	const struct ioapic_range overlap[] = { { 0, 24 }, { 16, 24 } };
	const struct ioapic_range high[] = { { 0xFFFFFFF0u, 32 } };
	uint32_t pin, served = 0;

	CHECK(route(server, 3, 0, &pin) == 0 && pin == 0);
	CHECK(route(server, 3, 23, &pin) == 0 && pin == 23);
	CHECK(route(server, 3, 24, &pin) == 2 && pin == 0);
	CHECK(route(server, 3, 55, &pin) == 2 && pin == 31);
	CHECK(route(server, 3, 56, &pin) == -1 && pin == 0xdead); /* hole */
	CHECK(route(server, 3, 63, &pin) == -1);
	CHECK(route(server, 3, 64, &pin) == 1 && pin == 0);
	CHECK(route(server, 3, 95, &pin) == 1 && pin == 31);
	CHECK(route(server, 3, 96, &pin) == -1);
	CHECK(route(server, 3, UINT32_MAX, &pin) == -1);
	CHECK(ioapic_gsi_end(server, 3) == 96);
	for (uint32_t g = 0; g < 128; g++)
		served += route(server, 3, g, &pin) >= 0;
	CHECK(served == 88);
	/* Only the first I/O APIC listed: what one-I/O-APIC code reached. */
	CHECK(route(server, 1, 24, &pin) == -1 && ioapic_gsi_end(server, 1) == 24);

	CHECK(route(dead, 3, 24, &pin) == -1 && route(dead, 3, 47, &pin) == -1);
	CHECK(route(dead, 3, 48, &pin) == 2 && pin == 0);
	CHECK(ioapic_gsi_end(dead, 3) == 56);

	CHECK(route(overlap, 2, 20, &pin) == 0 && pin == 20);
	CHECK(route(overlap, 2, 24, &pin) == 1 && pin == 8);
	CHECK(ioapic_gsi_end(overlap, 2) == 40);

	CHECK(route(high, 1, 0xFFFFFFF0u, &pin) == 0 && pin == 0);
	CHECK(route(high, 1, UINT32_MAX, &pin) == 0 && pin == 15);
	CHECK(route(high, 1, 5, &pin) == -1);
	CHECK(ioapic_gsi_end(high, 1) == UINT32_MAX); /* saturates, no wrap */

	CHECK(route(server, 0, 0, &pin) == -1 && ioapic_gsi_end(server, 0) == 0);
	return check_summary("test_ioapic");
}
