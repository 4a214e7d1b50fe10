# Section 9: stamp.
#
#   a -> b -> c1 (cl) -> d1
#          \-> c2 -> d2 -> e (merge of d1, d2)
rev a
rev b down=a
rev c1 down=b labels=cl
rev d1 down=c1
rev c2 down=b
rev d2 down=c2
rev e down=d1,d2
# onto an empty table: a new branch
stamp c1
# a descendant replaces the rows it is above
stamp d1
# an ancestor replaces them too (no migration runs either way)
stamp b
# a revision on another branch of a row: replaced (they share lineage)
stamp c2
stamp cl@d1
# several destinations: the second is unrelated to what the first left
stamp base
stamp d1,d2
current
# onto branches: a destination already in the rows is left alone
stamp d1
# stamp "heads"
stamp heads
# base deletes the rows that share lineage with it (all of them)
stamp base
# purge empties the table first
stamp c1,c2
stamp d1 purge
stamp purge
# <branch>@base deletes that branch's rows only
stamp c1,c2
stamp cl@base
# 9.4: from the single row e, c1 and d2 would both replace e (Alembic:
# KeyError, nothing committed); refused
stamp e
stamp c1,d2
# 9.4: an ancestor and its descendant together (Alembic inserts both)
stamp base
stamp c1,d1
# a destination given twice is stamped twice, as Alembic does: refused
# where the second clashes with the first (Alembic: AssertionError), a
# no-op when it was already a row
stamp d2,d2
stamp d2
stamp d2,d2
# 3.6: stamp's own wording for several heads
reset
rev a
rev b1 down=a
rev b2 down=a
stamp head
stamp heads
# "-1" walks down from the heads; from a single root it ends at base,
# where Alembic crashes: refused
reset
rev solo
stamp -1
stamp solo
stamp -1
----
> stamp c1
stamp c1 | INSERT c1
rows: c1
> stamp d1
stamp d1 | UPDATE c1 d1
rows: d1
> stamp b
stamp b | UPDATE d1 b
rows: b
> stamp c2
stamp c2 | UPDATE b c2
rows: c2
> stamp cl@d1
stamp d1 | INSERT d1
rows: d1 c2
> stamp base
stamp base | DELETE c2 ; DELETE d1
rows:
> stamp d1,d2
stamp d1 | INSERT d1
stamp d2 | INSERT d2
rows: d1 d2
> current
current: d1 d2
> stamp d1
rows: d1 d2
> stamp heads
stamp e | DELETE d1 ; UPDATE d2 e
rows: e
> stamp base
stamp base | DELETE e
rows:
> stamp c1,c2
stamp c1 | INSERT c1
stamp c2 | INSERT c2
rows: c1 c2
> stamp d1 purge
stamp base | DELETE c1 ; DELETE c2
stamp d1 | INSERT d1
rows: d1
> stamp purge
stamp base | DELETE d1
rows:
> stamp c1,c2
stamp c1 | INSERT c1
stamp c2 | INSERT c2
rows: c1 c2
> stamp cl@base
stamp base | DELETE c1
rows: c2
> stamp e
stamp e | UPDATE c2 e
rows: e
> stamp c1,d2
error UNSUPPORTED: cannot stamp these revisions together
  detail: Stamping d2 would replace version rows that an earlier destination of the same stamp already replaced; Alembic fails here with an internal error.
  hint: Stamp the destinations one at a time, or use purge and list every head.
rows: e
> stamp base
stamp base | DELETE e
rows:
> stamp c1,d1
error OVERLAP: Requested revision d1 overlaps with other requested revisions c1
  detail: One requested revision is an ancestor or descendant of another.
rows:
> stamp d2,d2
error UNSUPPORTED: cannot stamp these revisions together
  detail: Stamping d2 would replace version rows that an earlier destination of the same stamp already replaced; Alembic fails here with an internal error.
  hint: Stamp the destinations one at a time, or use purge and list every head.
rows:
> stamp d2
stamp d2 | INSERT d2
rows: d2
> stamp d2,d2
rows: d2
> reset
> stamp head
error MULTIPLE_HEADS: Multiple heads are present; please specify a single target revision
  detail: The heads are b1, b2.
rows:
> stamp heads
stamp b1 | INSERT b1
stamp b2 | INSERT b2
rows: b1 b2
> reset
> stamp -1
error RELATIVE_RANGE: relative destination ends at base
  detail: The relative destination walks down to base; Alembic fails here with an internal error.
  hint: Stamp 'base' to remove the version rows.
rows:
> stamp solo
stamp solo | INSERT solo
rows: solo
> stamp -1
error UNKNOWN_REVISION: Can't locate revision identified by '-1'
  detail: No such revision or branch '-1'; please ensure at least four characters are present for partial revision identifier matches
rows: solo
