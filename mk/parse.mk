# mk/parse.mk - HTTP input parsers (cgi/http_parse.c, cgi/http_multipart.c): a self-contained unit
# test build and the libFuzzer target. Builds only the parser and what it
# links against, so it works while other cgi/ files are mid-edit.
#
#   make parse-test    build/parse/test_http_parse under ASan/UBSan, run it
#   make fuzz-parse    libFuzzer for FUZZ_SECONDS (default 60) seconds

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

fuzz-parse: build/fuzz/fuzz_http_parse
	$(call fuzz_run,http_parse,-max_len=65536)

FUZZ_TARGETS += fuzz-parse

# The validator table (cgi/form.c) that every form field, query filter and
# ingest item goes through: what it promises, besides the sanitizers
# (tests/fuzz/fuzz_form.c). It links the real http.c, for form_is_id() and
# the request it reads forms from.
FORM_FUZZ_SRC := cgi/form.c cgi/http.c cgi/http_parse.c cgi/http_multipart.c cgi/arena.c cgi/buf.c cgi/config.c \
                 cgi/log.c cgi/jalloc.c

.PHONY: fuzz-form
build/fuzz/fuzz_form: $(FORM_FUZZ_SRC) cgi/form.h tests/fuzz/fuzz_form.c $(PARSE_HDRS) | deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined $(FORM_FUZZ_SRC) tests/fuzz/fuzz_form.c \
	      $(LIBS) -o $@

fuzz-form: build/fuzz/fuzz_form
	$(call fuzz_run,form,-max_len=4096)

FUZZ_TARGETS += fuzz-form
