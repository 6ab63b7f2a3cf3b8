# mk/image.mk - the uploaded logo's recogniser (cgi/image.c): its libFuzzer
# target. The unit tests (tests/unit/test_image.c) run with the others; the
# upload itself in tests/http/test_branding.py.
#
#   make fuzz-image    libFuzzer for FUZZ_SECONDS (default 60) seconds

.PHONY: fuzz-image
build/fuzz/fuzz_image: cgi/image.c cgi/image.h tests/fuzz/fuzz_image.c | deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined cgi/image.c tests/fuzz/fuzz_image.c -o $@

fuzz-image: build/fuzz/fuzz_image
	$(call fuzz_run,image,-max_len=65536)

FUZZ_TARGETS += fuzz-image
