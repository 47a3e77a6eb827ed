/* GSI -> I/O APIC and pin (see arch/ioapic_route.h). */
#include "arch/ioapic_route.h"

int ioapic_for_gsi(const struct ioapic_range *io, uint32_t n, uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < n; i++) {
		if (gsi >= io[i].gsi_base && gsi - io[i].gsi_base < io[i].pins) {
			*pin = gsi - io[i].gsi_base;
			return (int)i;
		}
	}
	return -1;
}

uint32_t ioapic_gsi_end(const struct ioapic_range *io, uint32_t n)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < n; i++)
		if (io[i].pins && (uint64_t)io[i].gsi_base + io[i].pins > end)
			end = (uint64_t)io[i].gsi_base + io[i].pins;
	return end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
}
