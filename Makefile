# Makefile for migrate (PGXS)

EXTENSION = migrate
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = migrate
OBJS = \
	src/migrate.o \
	$(SQL_OBJS) \
	$(EXEC_OBJS) \
	$(STORE_OBJS) \
	$(GRAPH_OBJS) \
	$(UTIL_OBJS) \
	$(SCHEMA_OBJS)
# the layers (doc/layout.md; test/layout.py checks them): the SQL entry
# points (src/sql/) ...
SQL_OBJS = \
	src/sql/adopt.o \
	src/sql/apply.o \
	src/sql/commands.o \
	src/sql/configure.o \
	src/sql/lint.o \
	src/sql/picture.o \
	src/sql/register.o \
	src/sql/reversible.o \
	src/sql/revision_file.o \
	src/sql/script.o \
	src/sql/show.o \
	src/sql/status.o \
	src/sql/trial.o \
	src/sql/verify.o
# ... above running bodies (src/exec/) ...
EXEC_OBJS = \
	src/exec/body.o \
	src/exec/citus.o \
	src/exec/kept.o \
	src/exec/launch.o \
	src/exec/lint_rules.o \
	src/exec/run.o \
	src/exec/sandbox.o \
	src/exec/sandbox_session.o \
	src/exec/split.o \
	src/exec/statement_hook.o \
	src/exec/worker.o
# ... above the extension's tables (src/store/)
STORE_OBJS = \
	src/store/call.o \
	src/store/catalog.o \
	src/store/citus_shards.o \
	src/store/drift.o \
	src/store/graph_cache.o \
	src/store/graph_pg.o \
	src/store/log.o \
	src/store/project.o \
	src/store/revision.o \
	src/store/version.o
# Alembic's graph rules, no PostgreSQL in them (src/graph/)
GRAPH_OBJS = \
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
	src/graph/stamp.o
# helpers below every other file, the schema model's included (src/util/)
UTIL_OBJS = \
	src/util/catwrites.o \
	src/util/locallock.o \
	src/util/sqlargs.o \
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
	src/schema/diff_order.o \
	src/schema/diff_other.o \
	src/schema/diff_relations.o \
	src/schema/diff_routines.o \
	src/schema/diff_statements.o \
	src/schema/diff_texts.o \
	src/schema/diff_types.o \
	src/schema/kinds.o \
	src/schema/load_model.o \
	src/schema/load_other.o \
	src/schema/load_relations.o \
	src/schema/load_routines.o \
	src/schema/load_schema.o \
	src/schema/load_shared.o \
	src/schema/load_types.o \
	src/schema/retarget.o \
	src/schema/schema_sql.o \
	src/schema/scope.o
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
$(OBJS): src/migrate.h src/graph/graph.h src/compat.h
$(EXEC_OBJS): src/exec/worker.h
$(GRAPH_OBJS): src/graph/graph_int.h
$(SCHEMA_OBJS): src/schema/schema.h src/schema/schema_int.h src/schema/diff_int.h \
	src/schema/retarget.h
$(OBJS): src/util/catwrites.h src/util/locallock.h src/util/sqlargs.h \
	src/util/subxact.h src/util/trust.h
# the library's version, in what it says to a database at an older one
src/store/call.o: $(EXTENSION).control

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
