/*
 * Which I/O APIC holds a GSI (pure C, host-tested: tests/host/test_ioapic.c).
 * Each I/O APIC serves GSIs [gsi_base, gsi_base + pins), pins from its
 * version register's maximum redirection entry + 1.
 */
#pragma once
#include "types.h"

struct ioapic_range {
	uint32_t gsi_base;
	uint32_t pins; /* 0: not in use (did not answer) */
};

/* The index of the I/O APIC whose range holds `gsi` (the first listed if
 * firmware gave overlapping ranges) and its input pin there; -1 if none. */
int ioapic_for_gsi(const struct ioapic_range *io, uint32_t n, uint32_t gsi, uint32_t *pin);
/* One past the highest GSI any of them serves (0 if none). */
uint32_t ioapic_gsi_end(const struct ioapic_range *io, uint32_t n);
