# Atoll front end. `make run` and `make test` install what is missing first.
#
#   make                 build build/atoll.iso (and build/kernel/atoll.elf)
#   make run             boot in QEMU (-smp $(SMP)) on this terminal; powers off at the end
#   make run APP=hello   the same, the root task starting userland/apps/hello (docs/programming.md)
#   make test            host unit tests + the in-guest boot matrix (CTest)
#   make test-boot       one in-guest run: SMP= FIRMWARE=bios|uefi MACHINE=q35|pc CPU= MEM= CMDLINE= EMULATOR=qemu|bochs BOCHS_CPU=
#   make debug           QEMU paused with a gdb stub; then `gdb -x build/gdbinit` (APP= as for run)
#   make fuzz            the stateful fuzzer: CALLS= SEED= [SMP= CMDLINE= KEEP=]; shrinks a failure
#   make bench           IPC benchmarks under QEMU -icount: build/bench/ipc.json + the L4 table
#   make bench-scaling   big lock vs multikernel scaling (QEMU, multi-threaded TCG): build/bench/scaling.*
#   make coverage        instrumented kernel (build/coverage-build): suite + fuzz runs, report in build/coverage/
#   make clean
#
# Variables: APP (run, debug), SMP (default 4 for run), FIRMWARE, MACHINE, CPU, MEM, CMDLINE, EMULATOR, BOCHS_CPU, JOBS;
# for make test, FUZZ=<calls> [SEED=<n>] adds a longer fuzzer run.

BUILD    ?= build
SMP      ?= 4
FIRMWARE ?= bios
MACHINE  ?= q35
CPU      ?= max
MEM      ?= 512M
CMDLINE  ?=
# make run: the multikernel, one cluster per core (cluster_size=all: one big-lock kernel)
RUN_CMDLINE ?= cluster_size=1
EMULATOR ?= qemu
BOCHS_CPU ?= tigerlake
JOBS     ?= $(shell nproc)
OVMF     ?= /usr/share/ovmf/OVMF.fd

KERNEL := $(BUILD)/kernel/atoll.elf
ISO    := $(BUILD)/atoll.iso
# Every application (userland/apps/<name>/) is a boot module of its name.
APPS    := $(notdir $(patsubst %/,%,$(wildcard userland/apps/*/)))
APP_MODULES := $(foreach a,$(APPS),$(BUILD)/userland/apps/$(a)=$(a))
MODULES := --module $(BUILD)/userland/init=init --module $(BUILD)/userland/peer=peer \
	$(foreach m,$(APP_MODULES),--module $(m))
# APP=<name>: the root task starts that application instead of its demo.
APP      ?=
APP_CMDLINE := $(if $(APP),app=$(APP))
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
	@$(if $(APP),$(if $(filter $(APP),$(APPS)),,echo "make run: no application '$(APP)' (userland/apps/ has: $(APPS))"; exit 2))
	@scripts/mkiso.sh --out $(BUILD)/run.iso --kernel $(KERNEL) $(MODULES) --cmdline "$(strip $(RUN_CMDLINE) $(APP_CMDLINE) $(CMDLINE))"
	qemu-system-x86_64 -M $(MACHINE) -cdrom $(BUILD)/run.iso -boot d $(QEMU_FW) -smp $(SMP) -m $(MEM) \
		-cpu $(CPU) -serial mon:stdio -display none -no-reboot

test: deps build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS); status=$$?; \
		$(CURDIR)/scripts/entry-report.sh logs; exit $$status
	@if [ -n "$(FUZZ)" ]; then CALLS=$(FUZZ) SEED=$(or $(SEED),1) SMP=1 KERNEL=$(KERNEL) TIMEOUT=600 \
		LOGDIR=$(BUILD)/logs scripts/fuzz.sh; fi

test-boot: deps build
	@SMP=$(SMP) FIRMWARE=$(FIRMWARE) MACHINE=$(MACHINE) CPU=$(CPU) MEM=$(MEM) EMULATOR=$(EMULATOR) BOCHS_CPU=$(BOCHS_CPU) \
		CMDLINE="$(if $(CMDLINE),$(CMDLINE),test=suite)" KERNEL=$(KERNEL) \
		MODULES="$(BUILD)/userland/init=init $(BUILD)/userland/peer=peer $(APP_MODULES)" scripts/boot-test.sh

# The stateful fuzzer (scripts/fuzz.sh, docs/fuzzing.md): one line of
# results; a failing seed is shrunk to its shortest failing call sequence.
.PHONY: fuzz
fuzz: deps build
	@CALLS=$(or $(CALLS),10000) SEED=$(or $(SEED),1) SMP=$(if $(filter command line environment,$(origin SMP)),$(SMP),1) CMDLINE="$(CMDLINE)" \
		KEEP="$(KEEP)" KERNEL=$(KERNEL) LOGDIR=$(BUILD)/logs \
		MODULES="$(BUILD)/userland/init=init $(BUILD)/userland/peer=peer" scripts/fuzz.sh

debug: deps build
	@$(if $(APP),$(if $(filter $(APP),$(APPS)),,echo "make debug: no application '$(APP)' (userland/apps/ has: $(APPS))"; exit 2))
	@scripts/mkiso.sh --out $(BUILD)/debug.iso --kernel $(KERNEL) $(MODULES) --cmdline "$(strip $(APP_CMDLINE) $(CMDLINE))"
	@printf 'file %s\ntarget remote localhost:1234\nset disassembly-flavor intel\n' \
		"$(abspath $(KERNEL))" > $(BUILD)/gdbinit
	@$(if $(APP),printf 'add-symbol-file %s\n' "$(abspath $(BUILD)/userland/apps/$(APP))" >> $(BUILD)/gdbinit)
	@echo "QEMU is paused with a gdb stub on :1234. In another terminal: gdb -x $(BUILD)/gdbinit"
	qemu-system-x86_64 -M $(MACHINE) -cdrom $(BUILD)/debug.iso -boot d $(QEMU_FW) -smp $(SMP) -m $(MEM) \
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

# Kernel coverage (scripts/coverage.sh, docs/coverage.md): a gcov-instrumented
# kernel in its own tree $(BUILD)/coverage-build, booted for the suite and a
# fuzz run; HTML report in $(BUILD)/coverage/, line and branch figures printed.
# COVERAGE_FUZZ is the fuzz run's kernel command line, COVERAGE_FUZZ_SMP its CPUs.
COVERAGE_FUZZ     ?= test=fuzz fuzz=100000 seed=1 kcheck=on
COVERAGE_FUZZ_SMP ?= 1
.PHONY: coverage
coverage: deps
	@COVERAGE_FUZZ="$(COVERAGE_FUZZ)" COVERAGE_FUZZ_SMP=$(COVERAGE_FUZZ_SMP) JOBS=$(JOBS) \
		scripts/coverage.sh $(BUILD)

clean:
	rm -rf $(BUILD)
