"""migrate-import-alembic: an Alembic project as migrate.register() files.

The package is laid out by what each step does, as Alembic's own is:

  cli        the command line, the report and the exit status
  project    reading the project: ini file or Flask-Migrate directory, the
             revisions in Alembic's load order, env.py run offline
  render     rendering one direction of one revision to SQL, offline
  bind       op.get_bind() offline: writes render, reads refuse
  literals   values SQLAlchemy has no literal for, as the driver sends them
  ddl        DDL SQLAlchemy checks the database for, as DO blocks; index
             order; batch recreation
  guard      no connection out of the process during an import
  files      the register() file of a revision; writing the directory
  sqltext    quoting and reading SQL text
  errors     the exceptions, and the record of why a revision is refused

tools/migrate-import-alembic is the entry point.
"""
