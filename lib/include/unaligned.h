/* Little-endian reads of possibly unaligned fields in firmware and file
 * formats (multiboot2, ACPI, ELF). memcpy keeps them defined behaviour. */
#pragma once
#include "kstring.h"
#include "types.h"

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}
