# TwinMergeTest: two merges of the same parents.  A merge whose parents
# are all hidden under other rows is inserted as a new row (7.1).
rev a
rev b1 down=a
rev b2 down=a
rev c1 down=b1,b2
rev c2 down=b1,b2
upgrade c2
upgrade c1
current
downgrade c1-1
downgrade c2-1
downgrade -1
downgrade base
upgrade heads
downgrade b1
----
> upgrade c2
upgrade a | INSERT a
upgrade b2 | UPDATE a b2
upgrade b1 | INSERT b1
upgrade c2 | DELETE b1 ; UPDATE b2 c2
rows: c2
> upgrade c1
upgrade c1 | INSERT c1
rows: c1 c2
> current
current: c1 c2
> downgrade c1-1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking down from c1, there are 2 candidates: b1, b2.
  hint: Give an explicit revision: a walk down cannot choose between the parents of a merge.
rows: c1 c2
> downgrade c2-1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking down from c2, there are 2 candidates: b1, b2.
  hint: Give an explicit revision: a walk down cannot choose between the parents of a merge.
rows: c1 c2
> downgrade -1
error AMBIGUOUS_DOWNGRADE: downgrade -1 from multiple heads is ambiguous
  detail: The applied heads are c2, c1.
  hint: Use <branch>@-1 to name the branch to downgrade, or give an explicit revision.
rows: c1 c2
> downgrade base
downgrade c1 | DELETE c1
downgrade c2 | INSERT b1 ; UPDATE c2 b2
downgrade b1 | DELETE b1
downgrade b2 | UPDATE b2 a
downgrade a | DELETE a
rows:
> upgrade heads
upgrade a | INSERT a
upgrade b2 | UPDATE a b2
upgrade b1 | INSERT b1
upgrade c2 | DELETE b1 ; UPDATE b2 c2
upgrade c1 | INSERT c1
rows: c1 c2
> downgrade b1
downgrade c1 | DELETE c1
downgrade c2 | INSERT b1 ; UPDATE c2 b2
rows: b1 b2
