# mk/parse.mk - HTTP input parsers (cgi/http_parse.c, cgi/http_multipart.c): a self-contained unit
# test build and the libFuzzer target. Builds only the parser and what it
# links against, so it works while other cgi/ files are mid-edit.
#
#   make parse-test    build/parse/test_http_parse under ASan/UBSan, run it
#   make fuzz-parse    libFuzzer for FUZZ_SECONDS (default 60) seconds

FUZZ_SECONDS ?= 60
PARSE_SRC    := cgi/http_parse.c cgi/http_multipart.c cgi/arena.c cgi/buf.c cgi/result.c
# The fuzzer needs only the parser and the arena (clang's -Wformat=2 also
# rejects buf.c's vsnprintf wrapper, which is not ours to change).
PARSE_FUZZ_SRC := cgi/http_parse.c cgi/http_multipart.c cgi/arena.c
PARSE_HDRS   := cgi/http_parse.h cgi/http_parse_int.h cgi/arena.h cgi/result.h cgi/buf.h tests/unit/tap.h
PARSE_CFLAGS  = -std=c11 -D_GNU_SOURCE -Icgi -Wall -Wextra -Werror -Wshadow \
                -Wpointer-arith -Wstrict-prototypes -Wformat=2 \
                $(PKG_CFLAGS) \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined -g
PARSE_LIBS    = $(PKG_LIBS)

.PHONY: parse-test fuzz-parse
parse-test: build/parse/test_http_parse
	build/parse/test_http_parse

build/parse/test_http_parse: $(PARSE_SRC) tests/unit/test_http_parse.c $(PARSE_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(PARSE_CFLAGS) $(PARSE_SRC) tests/unit/test_http_parse.c $(PARSE_LIBS) -o $@

build/fuzz/fuzz_http_parse: $(PARSE_FUZZ_SRC) tests/fuzz/fuzz_http_parse.c $(PARSE_HDRS) | deps
	@mkdir -p $(dir $@)
	clang $(filter-out -fsanitize=address%,$(PARSE_CFLAGS)) -O1 \
	      -fsanitize=fuzzer,address,undefined $(PARSE_FUZZ_SRC) tests/fuzz/fuzz_http_parse.c \
	      $(PARSE_LIBS) -o $@

# The fuzzer adds to its corpus, so it runs over a copy of the seeds.
fuzz-parse: build/fuzz/fuzz_http_parse
	rm -rf build/fuzz/http_parse_corpus
	mkdir -p build/fuzz/http_parse_corpus
	cp tests/fuzz/http_parse_corpus/* build/fuzz/http_parse_corpus/
	build/fuzz/fuzz_http_parse -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
	      -max_len=65536 build/fuzz/http_parse_corpus

FUZZ_TARGETS += fuzz-parse
