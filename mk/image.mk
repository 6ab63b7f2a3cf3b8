# mk/image.mk - the uploaded logo's recogniser (cgi/image.c): its libFuzzer
# target. The unit tests (tests/unit/test_image.c) run with the others; the
# upload itself in tests/http/test_branding.py.
#
#   make fuzz-image    libFuzzer for FUZZ_SECONDS (default 60) seconds

FUZZ_SECONDS ?= 60
IMAGE_FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Icgi -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
                    -Wstrict-prototypes -g -O1

.PHONY: fuzz-image
build/fuzz/fuzz_image: cgi/image.c cgi/image.h tests/fuzz/fuzz_image.c | deps
	@mkdir -p $(dir $@)
	clang $(IMAGE_FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined cgi/image.c tests/fuzz/fuzz_image.c -o $@

# The fuzzer adds to its corpus, so it runs over a copy of the seeds.
fuzz-image: build/fuzz/fuzz_image
	rm -rf build/fuzz/image_corpus
	mkdir -p build/fuzz/image_corpus
	cp tests/fuzz/image_corpus/* build/fuzz/image_corpus/
	build/fuzz/fuzz_image -max_total_time=$(FUZZ_SECONDS) -timeout=5 -max_len=65536 build/fuzz/image_corpus

FUZZ_TARGETS += fuzz-image
