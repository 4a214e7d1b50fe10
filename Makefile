# Makefile for migrate (PGXS)

EXTENSION = migrate
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = migrate
OBJS = \
	src/adopt.o \
	src/apply.o \
	src/body.o \
	src/call.o \
	src/catalog.o \
	src/citus.o \
	src/citus_shards.o \
	src/commands.o \
	src/configure.o \
	src/drift.o \
	src/graph/access.o \
	src/graph/build.o \
	src/graph/check.o \
	src/graph/derive.o \
	src/graph/draw.o \
	src/graph/errors.o \
	src/graph/export.o \
	src/graph/history.o \
	src/graph/keys.o \
	src/graph/layout.o \
	src/graph/order.o \
	src/graph/plan.o \
	src/graph/reach.o \
	src/graph/relative.o \
	src/graph/resolve.o \
	src/graph/rows.o \
	src/graph/scratch.o \
	src/graph/stamp.o \
	src/graph_cache.o \
	src/graph_pg.o \
	src/kept.o \
	src/launch.o \
	src/lint.o \
	src/lint_rules.o \
	src/log.o \
	src/migrate.o \
	src/picture.o \
	src/project.o \
	src/register.o \
	src/run.o \
	src/reversible.o \
	src/revision_file.o \
	src/sandbox.o \
	src/sandbox_session.o \
	src/script.o \
	src/show.o \
	src/statement_hook.o \
	src/statements.o \
	src/status.o \
	src/trial.o \
	src/values.o \
	src/verify.o \
	src/version.o \
	src/worker.o \
	$(UTIL_OBJS) \
	$(SCHEMA_OBJS)
# helpers below every other file, the schema model's included (src/util/)
UTIL_OBJS = \
	src/util/catwrites.o \
	src/util/locallock.o \
	src/util/subxact.o \
	src/util/trust.o
# the schema model: fingerprint, compare, diff, autogenerate (src/schema/)
SCHEMA_OBJS = \
	src/schema/autogenerate.o \
	src/schema/compare.o \
	src/schema/describe.o \
	src/schema/diff.o \
	src/schema/diff_access.o \
	src/schema/diff_columns.o \
	src/schema/diff_other.o \
	src/schema/diff_relations.o \
	src/schema/diff_routines.o \
	src/schema/diff_statements.o \
	src/schema/diff_texts.o \
	src/schema/diff_types.o \
	src/schema/load.o \
	src/schema/loader.o \
	src/schema/load_relations.o \
	src/schema/load_other.o \
	src/schema/load_routines.o \
	src/schema/load_schema.o \
	src/schema/load_types.o \
	src/schema/order.o \
	src/schema/retarget.o \
	src/schema/scope.o \
	src/schema/schema_sql.o
PGFILEDESC = "migrate - schema migrations inside the server"

# the boot script and the revision-file writer (which uses the boot
# script's helpers, beside it), into PostgreSQL's bindir beside psql (the
# Debian packages ship them once, in the migrate-bootstrap package, in
# /usr/bin)
SCRIPTS = bin/migrate-bootstrap bin/migrate-revision

DATA = $(wildcard $(EXTENSION)--*.sql)

# migrate_tap, the pgTAP assertions: a second extension, SQL only, installed
# beside migrate (CREATE EXTENSION migrate_tap where pgTAP is)
DATA += migrate_tap.control $(wildcard migrate_tap--*.sql)

# pg_regress: what a user sees (sql/, expected/)
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

# isolation specs: sessions racing (specs/, expected/)
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=$(EXTENSION)

PG_CPPFLAGS = -I$(srcdir)/src -DMIGRATE_VERSION='"$(EXTVERSION)"'
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(if $(WERROR),-Werror)

EXTRA_CLEAN = test/results

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object sees the shared headers; the graph module and the schema
# model their own too
$(OBJS): src/migrate.h src/graph/graph.h src/compat.h src/worker.h
$(filter src/graph/%,$(OBJS)): src/graph/graph_int.h
$(SCHEMA_OBJS): src/schema/schema.h src/schema/schema_int.h src/schema/diff_int.h \
	src/schema/retarget.h
$(OBJS): src/util/catwrites.h src/util/locallock.h src/util/subxact.h src/util/trust.h
# the library's version, in what it says to a database at an older one
src/call.o: $(EXTENSION).control

# The Alembic importer runs from the tree (tools/migrate-import-alembic).
# Its package is byte-compiled here for the interpreter its #! line names,
# as Debian compiles the Python modules it installs (Alembic's and
# SQLAlchemy's among them): where PYTHONDONTWRITEBYTECODE keeps Python from
# caching what it compiles, every import would otherwise compile it again.
# Without that interpreter, nothing to do.
IMPORTER_PY = $(wildcard tools/migrate_import_alembic/*.py)
ifneq ($(IMPORTER_PY),)
all: tools/migrate_import_alembic/__pycache__/.compiled
tools/migrate_import_alembic/__pycache__/.compiled: $(IMPORTER_PY)
	@if [ -x /usr/bin/python3 ]; then \
		/usr/bin/python3 -m compileall -q tools/migrate_import_alembic && touch $@; \
	fi
EXTRA_CLEAN += tools/migrate_import_alembic/__pycache__
endif

# The whole suite in a throw-away cluster: installs what it needs, builds
# with -Werror, runs pg_regress, isolation, pgTAP and the graph harness.
.PHONY: test demo graphcheck bench
test:
	bash test/run.sh

demo:
	bash test/demo.sh

graphcheck:
	$(MAKE) -C test/graph check

# Debian packages built from a copy of the tree (dpkg-buildpackage with
# pg_buildext), written to $(DEB_DIR)
DEB_DIR ?= dist
.PHONY: deb
deb:
	bash tools/build-deb.sh $(DEB_DIR)

bench:
	bash test/bench/bench.sh $(BENCH_ARGS)
