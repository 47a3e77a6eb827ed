# Atoll front end. `make run` and `make test` install what is missing first.
#
#   make                 build build/atoll.iso (and build/kernel/atoll.elf)
#   make run             boot in QEMU (-smp $(SMP)) on this terminal; powers off at the end
#   make test            host unit tests + the in-guest boot matrix (CTest)
#   make test-boot       one in-guest run: SMP= FIRMWARE=bios|uefi CPU= MEM= CMDLINE= EMULATOR=qemu|bochs
#   make debug           QEMU paused with a gdb stub; then `gdb -x build/gdbinit`
#   make bench           IPC benchmarks under QEMU -icount: build/bench/ipc.json + the L4 table
#   make bench-scaling   big lock vs multikernel scaling (QEMU, multi-threaded TCG): build/bench/scaling.*
#   make clean
#
# Variables: SMP (default 4 for run), FIRMWARE, CPU, MEM, CMDLINE, EMULATOR, JOBS;
# for make test, STRESS=<calls> [SEED=<n>] adds a longer random stress run.

BUILD    ?= build
SMP      ?= 4
FIRMWARE ?= bios
CPU      ?= max
MEM      ?= 512M
CMDLINE  ?=
# make run: the multikernel, one cluster per core (cluster_size=all: one big-lock kernel)
RUN_CMDLINE ?= cluster_size=1
EMULATOR ?= qemu
JOBS     ?= $(shell nproc)
OVMF     ?= /usr/share/ovmf/OVMF.fd

KERNEL := $(BUILD)/kernel/atoll.elf
ISO    := $(BUILD)/atoll.iso
MODULES := --module $(BUILD)/userland/init=init --module $(BUILD)/userland/peer=peer
QEMU_FW := $(if $(filter uefi,$(FIRMWARE)),-bios $(OVMF),)

.PHONY: all deps build run test test-boot debug clean FORCE

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE= >/dev/null

build: $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

run: deps build
	@scripts/mkiso.sh --out $(BUILD)/run.iso --kernel $(KERNEL) $(MODULES) --cmdline "$(strip $(RUN_CMDLINE) $(CMDLINE))"
	qemu-system-x86_64 -M q35 -cdrom $(BUILD)/run.iso -boot d $(QEMU_FW) -smp $(SMP) -m $(MEM) \
		-cpu $(CPU) -serial mon:stdio -display none -no-reboot

test: deps build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS); status=$$?; \
		$(CURDIR)/scripts/entry-report.sh logs; exit $$status
	@if [ -n "$(STRESS)" ]; then SMP=1 CMDLINE="test=suite stress=$(STRESS) seed=$(or $(SEED),1)" \
		KERNEL=$(KERNEL) TIMEOUT=600 MODULES="$(BUILD)/userland/init=init $(BUILD)/userland/peer=peer" \
		scripts/boot-test.sh; fi

test-boot: deps build
	@SMP=$(SMP) FIRMWARE=$(FIRMWARE) CPU=$(CPU) MEM=$(MEM) EMULATOR=$(EMULATOR) \
		CMDLINE="$(if $(CMDLINE),$(CMDLINE),test=suite)" KERNEL=$(KERNEL) \
		MODULES="$(BUILD)/userland/init=init $(BUILD)/userland/peer=peer" scripts/boot-test.sh

debug: deps build
	@scripts/mkiso.sh --out $(BUILD)/debug.iso --kernel $(KERNEL) $(MODULES) --cmdline "$(CMDLINE)"
	@printf 'file %s\ntarget remote localhost:1234\nset disassembly-flavor intel\n' \
		"$(abspath $(KERNEL))" > $(BUILD)/gdbinit
	@echo "QEMU is paused with a gdb stub on :1234. In another terminal: gdb -x $(BUILD)/gdbinit"
	qemu-system-x86_64 -M q35 -cdrom $(BUILD)/debug.iso -boot d $(QEMU_FW) -smp $(SMP) -m $(MEM) \
		-cpu $(CPU) -serial mon:stdio -display none -no-reboot -s -S

# IPC benchmarks (bench/run.sh, docs/bench.md): a bench ISO booted once under
# -icount; writes $(BUILD)/bench/ipc.json and prints the IPC table.
.PHONY: bench
bench: deps build
	@bench/run.sh $(BUILD)

# Lock vs multikernel scaling (bench/scaling.sh, docs/bench.md): QEMU with
# multi-threaded TCG, no icount, -smp = host cores, once per cluster layout;
# writes $(BUILD)/bench/scaling.{csv,md,png} and prints the tables and model.
.PHONY: bench-scaling
bench-scaling: deps build
	@bench/scaling.sh $(BUILD)

clean:
	rm -rf $(BUILD)
