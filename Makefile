# mod_iam: build, test, demo and install.
#
#   make demo     install what is missing, build, run the demo on 127.0.0.1:8080
#   make test     install what is missing, build, run every test
#   make check    the same tests, installing nothing (the packages must be there)
#   make install  install mod_iam.so, iamctl and conf/iam.{load,conf}
#   make bench    Require iam against Apache's authz modules under wrk (minutes)
#   make bench-decide  the per-decision microbenchmark, with callgrind counts
#   make bench-lists   the console's lists and role holders at 100,000 members
#   make bench-cluster two servers on one PostgreSQL: propagation p50/p99 (issue 15)
#   make fuzz     each libFuzzer target for FUZZ_SECONDS (default 60)

APXS      ?= apxs
CC        ?= cc
# Debian packages the build, the tests and the demo need.
DEB_PKGS  := apache2 apache2-dev liblmdb-dev lmdb-utils check pkg-config \
             libjansson-dev libssl-dev libcurl4-openssl-dev curl chromium \
             libapache2-mod-auth-openidc libapache2-mod-auth-mellon wrk apache2-utils git \
             clang libclang-rt-14-dev postgresql libpq-dev

# The store, one file per concern (mod_iam/store/store_int.h says which).
SRC_STORE  := $(addprefix mod_iam/store/,codec.c member_record.c records.c tx.c open.c read.c \
              lists.c index.c query.c audit.c write.c workspace.c members.c grants.c groups.c \
              requests.c tokens.c labels.c resources.c import.c scim.c verify.c seen.c log_codec.c log.c \
              upstream.c)
# The workspace's database (PostgreSQL): database.c is the one file that
# includes libpq; replica.c makes a store follow it.
SRC_DATABASE := mod_iam/database/database.c mod_iam/database/replica.c
# The audit trail in words (mod_iam/audit/audit_int.h says which file holds what).
SRC_AUDIT  := $(addprefix mod_iam/audit/,audit_read.c audit_diff.c audit_say.c audit_filter.c)
SRC_SHARED := mod_iam/roles.c mod_iam/policy.c $(SRC_STORE) mod_iam/present.c mod_iam/pathmap.c \
              $(SRC_AUDIT) mod_iam/access.c \
              mod_iam/httpdconf.c mod_iam/scim/filter.c
# The glue the "glue" suite runs without a server (tests/httpd_stub.c
# stands in for httpd): directive setters, web helpers, error renderers.
SRC_GLUE   := mod_iam/config.c mod_iam/web.c mod_iam/html.c
# The console, one file per concern (mod_iam/console/console_int.h says which).
SRC_CONSOLE := $(addprefix mod_iam/console/,console.c console_forms.c console_home.c \
               console_requests.c console_members.c console_groups.c console_resources.c \
               console_audit.c console_tokens.c console_labels.c)
# The JSON API, the same way (mod_iam/api/api_int.h).
SRC_API    := $(addprefix mod_iam/api/,api.c api_members.c api_groups.c api_requests.c \
               api_workspace.c api_resources.c api_labels.c api_tokens.c)
# SCIM's endpoints (mod_iam/scim/scim_int.h); its filter parser is shared.
SRC_SCIM   := $(addprefix mod_iam/scim/,scim.c users.c groups.c)
SRC_MODULE := mod_iam/mod_iam.c mod_iam/config.c mod_iam/lifecycle.c mod_iam/authz.c \
              mod_iam/admin.c $(SRC_CONSOLE) $(SRC_API) $(SRC_SCIM) mod_iam/web.c mod_iam/html.c \
              mod_iam/denied.c mod_iam/mail.c mod_iam/identity.c mod_iam/touch.c \
              mod_iam/cluster.c $(SRC_SHARED) $(SRC_DATABASE)
# Headers private to a folder of the module.
MODULE_INT := mod_iam/console/console_int.h mod_iam/api/api_int.h mod_iam/audit/audit_int.h \
              mod_iam/scim/scim_int.h
# iamctl, one file per family of commands (mod_iam/iamctl/iamctl_int.h).
SRC_CTL    := $(addprefix mod_iam/iamctl/,iamctl.c iamctl_members.c iamctl_groups.c \
              iamctl_export.c iamctl_check.c iamctl_log.c iamctl_replica.c iamctl_labels.c \
              iamctl_resources.c) $(SRC_SHARED) \
              $(SRC_DATABASE)
CTL_INT    := mod_iam/iamctl/iamctl_int.h
# The store's private header: the one file of mod_iam/ that includes <lmdb.h>.
STORE_INT  := mod_iam/store/store_int.h
HEADERS    := $(wildcard include/*.h) $(STORE_INT) mod_iam/audit/audit_int.h
TEST_SRC   := $(wildcard tests/*.c)

WARN       := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wstrict-prototypes
APR_CFLAGS  = $(shell apr-1-config --cflags --cppflags --includes 2>/dev/null)
APR_LIBS    = $(shell apr-1-config --link-ld --libs 2>/dev/null)
PQ_CFLAGS   = $(shell pkg-config --cflags libpq 2>/dev/null)
PQ_LIBS     = $(shell pkg-config --libs libpq 2>/dev/null)
HTTPD_INC   = $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
CFLAGS     ?= -O2 -g
CFLAGS_ALL  = $(CFLAGS) $(WARN) -std=gnu11 -Iinclude $(APR_CFLAGS) $(PQ_CFLAGS)
LIBS        = -llmdb -ljansson -lcrypto $(APR_LIBS) $(PQ_LIBS)
TEST_LIBS   = $(shell pkg-config --libs check 2>/dev/null) -lcurl
SAN         = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

BUILD      := build

.PHONY: all deps build demo test check install clean format bench-decide bench-lists bench bench-cluster fuzz fuzz-regress

all: build

# Installs only what is missing; as root directly, else through sudo.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@# Node.js and npm drive the browser test (playwright-core from npm).
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }

build: check-lmdb check-libpq $(BUILD)/mod_iam.so $(BUILD)/iamctl

# The store is one layer: nothing in mod_iam/ or include/ but its private
# header includes <lmdb.h>. Every build of the sources checks it first.
.PHONY: check-lmdb
check-lmdb:
	@bad=$$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]lmdb\.h[">]' mod_iam include \
	  | grep -vxF $(STORE_INT)); \
	if [ -n "$$bad" ]; then echo "only $(STORE_INT) may include <lmdb.h>:" $$bad; exit 1; fi

# The database is one file: nothing else includes libpq.
DATABASE_C := mod_iam/database/database.c
.PHONY: check-libpq
check-libpq:
	@bad=$$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]libpq-fe\.h[">]' mod_iam include tests \
	  | grep -vxF $(DATABASE_C)); \
	if [ -n "$$bad" ]; then echo "only $(DATABASE_C) may include <libpq-fe.h>:" $$bad; exit 1; fi

# apxs compiles the module the way Debian's httpd expects; its libtool
# droppings stay out of the source tree by building from a copy (the
# folders kept: each folder's files include their header from theirs).
$(BUILD)/mod_iam.so: $(SRC_MODULE) $(MODULE_INT) $(HEADERS) | check-lmdb
	rm -rf $(BUILD)/apxs && mkdir -p $(BUILD)/apxs
	cp --parents $(SRC_MODULE) $(MODULE_INT) $(STORE_INT) $(BUILD)/apxs/
	cd $(BUILD)/apxs && { $(APXS) -c -I../../include $(PQ_CFLAGS) -Wc,"$(WARN) -std=gnu11" \
	    -o mod_iam.so $(SRC_MODULE) -llmdb -ljansson -lcrypto $(PQ_LIBS) >apxs.log 2>&1 || { cat apxs.log; exit 1; }; }
	@grep -E "warning:|error:" $(BUILD)/apxs/apxs.log || true
	@# a new file, renamed into place: a running httpd keeps the old one mapped
	cp $(BUILD)/apxs/.libs/mod_iam.so $@.new && mv -f $@.new $@

$(BUILD)/iamctl: $(SRC_CTL) $(CTL_INT) $(HEADERS) | check-lmdb
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $(SRC_CTL) $(LIBS)

# The tests build the store with IAM_TEST_HOOKS (a memo hit counter).
$(BUILD)/run_tests: $(TEST_SRC) $(SRC_SHARED) $(SRC_DATABASE) $(SRC_GLUE) $(HEADERS) tests/*.h | check-lmdb
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DIAM_TEST_HOOKS -Werror=unused-function -Itests $(addprefix -I,$(HTTPD_INC)) -o $@ $(TEST_SRC) $(SRC_SHARED) $(SRC_DATABASE) $(SRC_GLUE) $(LIBS) $(TEST_LIBS)

$(BUILD)/run_tests_san: $(TEST_SRC) $(SRC_SHARED) $(SRC_DATABASE) $(SRC_GLUE) $(HEADERS) tests/*.h | check-lmdb
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DIAM_TEST_HOOKS -Werror=unused-function $(SAN) -Itests $(addprefix -I,$(HTTPD_INC)) -o $@ $(TEST_SRC) $(SRC_SHARED) $(SRC_DATABASE) $(SRC_GLUE) $(LIBS) $(TEST_LIBS)

# `make test` installs what is missing, then runs `make check`: unit suites
# under ASan/UBSan first, then the benchmarks at a tiny size, the fuzz
# corpus, the browser tests, then everything (unit, and a real httpd under
# the event, prefork and worker MPMs); the last line is Check's summary.
# `make check` alone installs nothing: it fails on a missing package.
test: deps
	@$(MAKE) --no-print-directory check

check: build $(BUILD)/run_tests $(BUILD)/run_tests_san $(BUILD)/bench_decide $(BUILD)/bench_lists
	@echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	IAM_BUILD=$(abspath $(BUILD)) IAM_SUITES=unit ASAN_OPTIONS=detect_leaks=0 \
	    UBSAN_OPTIONS=print_stacktrace=1 $(BUILD)/run_tests_san
	@echo "== the decision microbenchmark runs (tiny size; timing is not a test)"
	$(BUILD)/bench_decide -q -n 100
	@echo "== the console's lists benchmark runs (tiny size; timing is not a test)"
	@dir=$$(mktemp -d /tmp/mod_iam-bench-lists.XXXXXX) && trap 'rm -rf "$$dir"' EXIT && \
	  $(BUILD)/bench_lists -q -n 1000 -d $$dir
	@echo "== make bench runs (tiny size; timing is not a test)"
	sh bench/run --tiny $(abspath $(BUILD))
	@echo "== fuzz targets over their seed corpus (fuzz/corpus)"
	$(MAKE) fuzz-regress
	@echo "== the console in headless Chromium (tests/browser)"
	sh tests/browser/run $(abspath $(BUILD))
	@echo "== single sign-on: mod_auth_openidc and a local OpenID provider (tests/oidc)"
	sh tests/oidc/run $(abspath $(BUILD))
	@echo "== single sign-on: mod_auth_mellon (SAML) and a local identity provider (tests/saml)"
	sh tests/saml/run $(abspath $(BUILD))
	@echo "== all tests"
	IAM_BUILD=$(abspath $(BUILD)) $(BUILD)/run_tests

$(BUILD)/bench_decide: bench/decide.c $(SRC_SHARED) $(HEADERS) | check-lmdb
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ bench/decide.c $(SRC_SHARED) $(LIBS)

# The per-decision microbenchmark (issue 6): ns per decision at three sizes,
# then instructions per decision under callgrind (repeatable where time is
# not) on the same stores, built once (natively) in a temporary directory.
bench-decide: deps $(BUILD)/bench_decide
	@command -v valgrind >/dev/null || { echo "valgrind is needed for instruction counts"; exit 1; }
	@dir=$$(mktemp -d /tmp/mod_iam-bench-decide.XXXXXX) && trap 'rm -rf "$$dir"' EXIT && \
	for n in 1000 100000 1000000; do \
	  mkdir -p $$dir/$$n && $(BUILD)/bench_decide -n $$n -d $$dir/$$n || exit 1; \
	done && \
	for n in 1000 100000 1000000; do \
	  valgrind --tool=callgrind --toggle-collect=decide_batch --callgrind-out-file=/dev/null \
	    $(BUILD)/bench_decide -q -n $$n -d $$dir/$$n 2>&1 | awk -v n=$$n '/Collected :/ { printf "members %d  %.0f instructions per decision (callgrind)\n", n, $$4 / 2000 }'; \
	done

$(BUILD)/bench_lists: bench/lists.c $(SRC_SHARED) $(HEADERS) | check-lmdb
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -O2 -o $@ bench/lists.c $(SRC_SHARED) $(LIBS)

# The console's lists (issue 13): each page the store gives the owners'
# console, and who holds a role, timed at 100,000 members (bench/lists.c),
# on a store built once in a temporary directory.
bench-lists: deps $(BUILD)/bench_lists
	@dir=$$(mktemp -d /tmp/mod_iam-bench-lists.XXXXXX) && trap 'rm -rf "$$dir"' EXIT && \
	  $(BUILD)/bench_lists -n 100000 -d $$dir

# Propagation between two servers of one workspace (issue 15): two httpds
# and a PostgreSQL started for it, writes at 10 then 50 a second through
# both, the latency p50/p99 until the other server has each one, and the
# stores and the database compared at the end (tests/test_cluster_bench.c).
bench-cluster: deps build $(BUILD)/run_tests
	IAM_BUILD=$(abspath $(BUILD)) IAM_SUITES=cluster-bench $(BUILD)/run_tests

# Require iam against Apache's own authz modules in one httpd (issue 6): wrk
# on each row at 1,000 then 100,000 members, one table per size (bench/run).
bench: deps build
	sh bench/run $(abspath $(BUILD))

# libFuzzer targets (issue 7): fuzz/NAME.c, one per parser of outside input,
# each with its seed corpus in fuzz/corpus/NAME/. `make fuzz` runs each for
# FUZZ_SECONDS; new inputs go to build/fuzz/corpus-NAME (the checked-in corpus
# grows only by hand) and crashes to build/fuzz/crashes-NAME/. `make
# fuzz-regress` (part of `make test`) runs each over its checked-in corpus once.
FUZZ_TARGETS := store_records import names form json_body audit_text oplog scim_filter scim_body
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_CFLAGS   = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer $(WARN) -std=gnu11 -Iinclude \
                $(addprefix -I,$(HTTPD_INC)) $(APR_CFLAGS) $(PQ_CFLAGS)
# Every target links the shared sources and the database's (import runs
# iamctl's main, which may follow one); store_records reaches the
# store's decoders through its private header.
$(BUILD)/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(wildcard mod_iam/*.c mod_iam/*/*.c mod_iam/*/*.h) \
                 $(HEADERS) tests/httpd_stub.c tests/httpd_stub.h | check-lmdb
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_GLUE) $(SRC_SHARED) $(SRC_DATABASE) $(LIBS)

# form, json_body and scim_body run the module's web glue: httpd's functions from the
# tests' stand-in, the workspace from config.c (read through its getters).
$(BUILD)/fuzz/form $(BUILD)/fuzz/json_body $(BUILD)/fuzz/scim_body: FUZZ_GLUE = -Itests tests/httpd_stub.c \
                                                                  mod_iam/config.c

fuzz: deps $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  out=$(BUILD)/fuzz/corpus-$$t crashes=$(BUILD)/fuzz/crashes-$$t; \
	  mkdir -p $$out $$crashes && cp fuzz/corpus/$$t/* $$out/ || { failed="$$failed $$t"; continue; }; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s (log: $(BUILD)/fuzz/$$t.log)"; \
	  if $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=25 -print_final_stats=1 \
	       -artifact_prefix=$$crashes/ $$out >$(BUILD)/fuzz/$$t.log 2>&1; then \
	    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)" \
	      $(BUILD)/fuzz/$$t.log; \
	  else \
	    tail -n 40 $(BUILD)/fuzz/$$t.log; failed="$$failed $$t"; \
	  fi; \
	done; \
	[ -z "$$failed" ] || { echo "fuzz: failed:$$failed (crashing inputs in $(BUILD)/fuzz/crashes-NAME/)"; exit 1; }

fuzz-regress: deps $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  if $(BUILD)/fuzz/$$t fuzz/corpus/$$t/* >$(BUILD)/fuzz/regress-$$t.log 2>&1; then \
	    echo "$$t: $$(ls fuzz/corpus/$$t | wc -l) inputs, no crash"; \
	  else \
	    tail -n 40 $(BUILD)/fuzz/regress-$$t.log; failed="$$failed $$t"; \
	  fi; \
	done; \
	[ -z "$$failed" ] || { echo "fuzz-regress: crashed:$$failed"; exit 1; }

demo: deps build
	conf/demo/run $(abspath $(BUILD))

LIBEXECDIR = $(shell $(APXS) -q LIBEXECDIR)
SYSCONFDIR = $(shell $(APXS) -q SYSCONFDIR)
install: build
	install -D -m 644 $(BUILD)/mod_iam.so $(DESTDIR)$(LIBEXECDIR)/mod_iam.so
	install -D -m 755 $(BUILD)/iamctl $(DESTDIR)/usr/local/sbin/iamctl
	install -D -m 644 conf/iam.load $(DESTDIR)$(SYSCONFDIR)/mods-available/iam.load
	[ -e $(DESTDIR)$(SYSCONFDIR)/mods-available/iam.conf ] || \
	    install -D -m 644 conf/iam.conf $(DESTDIR)$(SYSCONFDIR)/mods-available/iam.conf
	install -d -m 750 $(DESTDIR)/var/lib/apache2/iam
	-[ -n "$(DESTDIR)" ] || chown www-data:www-data /var/lib/apache2/iam

format:
	clang-format -i mod_iam/*.c mod_iam/*/*.c mod_iam/*/*.h include/*.h tests/*.c tests/*.h

clean:
	rm -rf $(BUILD)
