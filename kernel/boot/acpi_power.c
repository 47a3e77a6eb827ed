/*
 * What ACPI says about ending a run (acpi.h): the \_S5 sleep type found in
 * the DSDT's AML, and the register values and ports the power-off and
 * reset paths (arch/x86_64/power.c) write. Pure C, bounded reads only;
 * host-tested with the parser (tests/host/test_acpi.c).
 */
#include "acpi.h"
#include "kstring.h"
#include "unaligned.h"

/* --- AML: \_S5 --- */

enum { AML_ZERO = 0x00, AML_ONE = 0x01, AML_NAME = 0x08, AML_BYTE = 0x0a, AML_WORD = 0x0b,
       AML_DWORD = 0x0c, AML_PACKAGE = 0x12, AML_ROOT = 0x5c };

/* A PkgLength at p (avail bytes): its value into *len; returns its size in
 * bytes (1..4), or 0 if it is cut off or malformed. */
static size_t aml_pkglen(const uint8_t *p, size_t avail, uint32_t *len)
{
	size_t n = (size_t)(p[0] >> 6) + 1;

	if (avail < n)
		return 0;
	if (n == 1) {
		*len = p[0] & 0x3f;
		return 1;
	}
	if (p[0] & 0x30) /* bits 4-5 of a multi-byte lead byte must be 0 */
		return 0;
	*len = p[0] & 0x0f;
	for (size_t i = 1; i < n; i++)
		*len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return n;
}

/* A small integer data object at p: returns its size, 0 if it is none. */
static size_t aml_int(const uint8_t *p, size_t avail, uint32_t *v)
{
	if (avail == 0)
		return 0;
	switch (p[0]) {
	case AML_ZERO: *v = 0; return 1;
	case AML_ONE: *v = 1; return 1;
	case AML_BYTE: if (avail < 2) return 0; *v = p[1]; return 2;
	case AML_WORD: if (avail < 3) return 0; *v = rd16(p + 1); return 3;
	case AML_DWORD: if (avail < 5) return 0; *v = rd32(p + 1); return 5;
	default: return 0;
	}
}

/* PackageOp PkgLength NumElements a b ... at p, all within avail. */
static bool aml_s5_package(const uint8_t *p, size_t avail, uint8_t *typa, uint8_t *typb)
{
	uint32_t plen, a, b;
	size_t n, k, off;

	if (avail < 2 || p[0] != AML_PACKAGE || !(n = aml_pkglen(p + 1, avail - 1, &plen)))
		return false;
	if (plen < n + 1 || plen > avail - 1) /* PkgLength counts itself */
		return false;
	p += 1 + n; /* NumElements, then the elements, plen - n bytes in all */
	avail = plen - n;
	if (p[0] < 2 || !(k = aml_int(p + 1, avail - 1, &a)))
		return false;
	off = 1 + k;
	if (!aml_int(p + off, avail - off, &b) || a > 7 || b > 7)
		return false;
	*typa = (uint8_t)a;
	*typb = (uint8_t)b;
	return true;
}

bool acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	for (size_t i = 1; len >= 4 && i <= len - 4; i++) {
		bool named = aml[i - 1] == AML_NAME ||
			     (aml[i - 1] == AML_ROOT && i >= 2 && aml[i - 2] == AML_NAME);

		if (named && memcmp(aml + i, "_S5_", 4) == 0 &&
		    aml_s5_package(aml + i + 4, len - i - 4, typa, typb))
			return true;
	}
	return false;
}

/* --- ending a run --- */

#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)

uint16_t acpi_pm1_sleep_value(uint16_t keep, uint8_t slp_typ)
{
	keep &= (uint16_t)~(PM1_SLP_TYP_MASK | ACPI_PM1_SLP_EN);
	return (uint16_t)(keep | ((slp_typ & 7u) << PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN);
}


/* An 8-bit register at an I/O port, bit offset 0: what Atoll writes. */
static uint16_t io_byte_port(const struct acpi_gas *r)
{
	if (r->space != ACPI_GAS_IO || r->addr == 0 || r->addr > 0xffff)
		return 0;
	return r->bit_width == 8 && r->bit_offset == 0 ? (uint16_t)r->addr : 0;
}

uint16_t acpi_reset_port(const struct acpi_info *info)
{
	return info->has_fadt && info->reset_supported ? io_byte_port(&info->reset_reg) : 0;
}

uint8_t acpi_sleep_control_value(uint8_t slp_typ)
{
	return (uint8_t)(((slp_typ & 7u) << 2) | (1u << 5));
}

uint16_t acpi_sleep_control_port(const struct acpi_info *info)
{
	return info->has_fadt && info->hw_reduced ? io_byte_port(&info->sleep_control) : 0;
}
