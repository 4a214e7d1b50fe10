# Section 4: relative targets.
#
#   a1 -> a2 -> a3 -> b1 (blib) -> b2
#                \-> c1 (clib) -> c2
rev a1
rev a2 down=a1
rev a3 down=a2
rev b1 down=a3 labels=blib
rev b2 down=b1
rev c1 down=a3 labels=clib
rev c2 down=c1
# +N from nothing walks up from the bases
upgrade +1
upgrade +2
# up through a branch point: ambiguous without a branch part
upgrade +1
upgrade blib@+1
upgrade blib@+1
# overwalk
upgrade blib@+1
upgrade blib@+5
# several rows: +N needs a branch
upgrade c1
upgrade +1
upgrade clib@+1
# -N is never an upgrade
upgrade -1
upgrade +0
upgrade -0
# <symbol>+N / <symbol>-N walk from the symbol, whatever the rows
downgrade base
upgrade a1+1
upgrade b2-1
upgrade a3+1
upgrade blib@a3+1
upgrade clib@a3+2
upgrade b2-2
# walking past either end (Alembic: AssertionError)
upgrade b2+1
upgrade a1-1
upgrade a1-2
# base+N walks up from the bases; base-N down from the heads
downgrade base
upgrade base+1
show base+2
show base-1
upgrade heads-1
upgrade head-1
# 4.6 downgrade -N from the rows
upgrade heads
downgrade clib@-1
downgrade clib@-1
downgrade blib@-2
current
downgrade -1
downgrade -2
downgrade -5
# +N with no symbol is never a downgrade; <symbol>+N is absolute
downgrade +1
downgrade a1+1
downgrade a3+3
downgrade a3+9
# "-N" that lands on base is base
downgrade a1-1
upgrade a3
downgrade -3
downgrade -1
# huge numbers, and text after the digits (ignored, as Python's re.match)
upgrade +99999999999999999999
upgrade a1+00002
upgrade a1+2xyz
downgrade -99999999999999999999
show -1
show blib@-1
show clib@-2
----
> upgrade +1
upgrade a1 | INSERT a1
rows: a1
> upgrade +2
upgrade a2 | UPDATE a1 a2
upgrade a3 | UPDATE a2 a3
rows: a3
> upgrade +1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a3, there are 2 candidates: b1, c1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows: a3
> upgrade blib@+1
upgrade b1 | UPDATE a3 b1
rows: b1
> upgrade blib@+1
upgrade b2 | UPDATE b1 b2
rows: b2
> upgrade blib@+1
error RELATIVE_RANGE: Relative revision +1 didn't produce 1 migrations
rows: b2
> upgrade blib@+5
error RELATIVE_RANGE: Relative revision +5 didn't produce 5 migrations
rows: b2
> upgrade c1
upgrade c1 | INSERT c1
rows: b2 c1
> upgrade +1
error AMBIGUOUS_UPGRADE: Ambiguous upgrade from multiple current revisions
  detail: More than one applied head could be the starting point.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows: b2 c1
> upgrade clib@+1
upgrade c2 | UPDATE c1 c2
rows: b2 c2
> upgrade -1
error RELATIVE_RANGE: Relative revision -1 didn't produce 1 migrations
  detail: An upgrade cannot go down.
rows: b2 c2
> upgrade +0
error RELATIVE_RANGE: Relative revision 0 didn't produce 0 migrations
  detail: An upgrade cannot go down.
rows: b2 c2
> upgrade -0
error RELATIVE_RANGE: Relative revision 0 didn't produce 0 migrations
  detail: An upgrade cannot go down.
rows: b2 c2
> downgrade base
downgrade b2 | UPDATE b2 b1
downgrade b1 | DELETE b1
downgrade c2 | UPDATE c2 c1
downgrade c1 | UPDATE c1 a3
downgrade a3 | UPDATE a3 a2
downgrade a2 | UPDATE a2 a1
downgrade a1 | DELETE a1
rows:
> upgrade a1+1
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
rows: a2
> upgrade b2-1
upgrade a3 | UPDATE a2 a3
upgrade b1 | UPDATE a3 b1
rows: b1
> upgrade a3+1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a3, there are 2 candidates: b1, c1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows: b1
> upgrade blib@a3+1
rows: b1
> upgrade clib@a3+2
upgrade c1 | INSERT c1
upgrade c2 | UPDATE c1 c2
rows: b1 c2
> upgrade b2-2
rows: b1 c2
> upgrade b2+1
error RELATIVE_RANGE: Relative revision +1 didn't produce 1 migrations
  detail: The walk goes past the end of the revision graph.
rows: b1 c2
> upgrade a1-1
error RELATIVE_RANGE: Relative revision -1 didn't produce 1 migrations
  detail: The walk ends at base, which is not a revision to upgrade to.
rows: b1 c2
> upgrade a1-2
error RELATIVE_RANGE: Relative revision -2 didn't produce 2 migrations
  detail: The walk goes past the end of the revision graph.
rows: b1 c2
> downgrade base
downgrade b1 | DELETE b1
downgrade c2 | UPDATE c2 c1
downgrade c1 | UPDATE c1 a3
downgrade a3 | UPDATE a3 a2
downgrade a2 | UPDATE a2 a1
downgrade a1 | DELETE a1
rows:
> upgrade base+1
upgrade a1 | INSERT a1
rows: a1
> show base+2
show: a2
> show base-1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking down from base, there are 2 candidates: b2, c2.
  hint: Give an explicit revision: a walk down cannot choose between the parents of a merge.
> upgrade heads-1
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are b2, c2.
rows: a1
> upgrade head-1
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are b2, c2.
rows: a1
> upgrade heads
upgrade a2 | UPDATE a1 a2
upgrade a3 | UPDATE a2 a3
upgrade c1 | UPDATE a3 c1
upgrade c2 | UPDATE c1 c2
upgrade b1 | INSERT b1
upgrade b2 | UPDATE b1 b2
rows: b2 c2
> downgrade clib@-1
downgrade c2 | UPDATE c2 c1
rows: b2 c1
> downgrade clib@-1
downgrade c1 | DELETE c1
rows: b2
> downgrade blib@-2
downgrade b2 | UPDATE b2 b1
downgrade b1 | UPDATE b1 a3
rows: a3
> current
current: a3
> downgrade -1
downgrade a3 | UPDATE a3 a2
rows: a2
> downgrade -2
downgrade a2 | UPDATE a2 a1
downgrade a1 | DELETE a1
rows:
> downgrade -5
error RELATIVE_RANGE: Relative revision -5 didn't produce 5 migrations
  detail: Nothing is applied.
rows:
> downgrade +1
error RELATIVE_RANGE: Relative revision +1 didn't produce 1 migrations
  detail: A downgrade cannot go up.
rows:
> downgrade a1+1
error NOT_VALID_TARGET: Destination a1+1 is not a valid downgrade target from current head(s)
  detail: Nothing above the destination is applied.
rows:
> downgrade a3+3
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a3, there are 2 candidates: b1, c1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows:
> downgrade a3+9
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a3, there are 2 candidates: b1, c1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows:
> downgrade a1-1
rows:
> upgrade a3
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade a3 | UPDATE a2 a3
rows: a3
> downgrade -3
downgrade a3 | UPDATE a3 a2
downgrade a2 | UPDATE a2 a1
downgrade a1 | DELETE a1
rows:
> downgrade -1
error RELATIVE_RANGE: Relative revision -1 didn't produce 1 migrations
  detail: Nothing is applied.
rows:
> upgrade +99999999999999999999
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a3, there are 2 candidates: b1, c1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows:
> upgrade a1+00002
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade a3 | UPDATE a2 a3
rows: a3
> upgrade a1+2xyz
rows: a3
> downgrade -99999999999999999999
error RELATIVE_RANGE: Relative revision -99999999999999999999 didn't produce 99999999999999999999 migrations
  detail: The walk goes past base.
rows: a3
> show -1
show: b1 c1
> show blib@-1
show: b1
> show clib@-2
show: a3
