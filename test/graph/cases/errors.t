# Section 11: every error, with its code and Alembic's wording.
#
#   a1 -> a2 -> b1 -> b2        c (unrelated root)
#            \-> e1 (elib)
rev a1
rev a2 down=a1
rev b1 down=a2 labels=blib
rev b2 down=b1
rev e1 down=a2 labels=elib
rev cc1
# multiple_heads
upgrade head
downgrade head
upgrade blib@head
show head
upgrade heads+1
# unknown_revision, with and without the short-prefix note
upgrade zzz
upgrade zzzzz
# ambiguous_prefix (a label counts as a key)
reset
rev ae1a
rev ae1b down=ae1a labels=ae1lab
upgrade ae1
show ae1
reset
rev a1
rev a2 down=a1
rev b1 down=a2 labels=blib
rev b2 down=b1
rev e1 down=a2 labels=elib
# no_such_branch and not_branch_member
upgrade nolib@head
upgrade blib@e1
# relative_range
upgrade +9
downgrade -1
upgrade -1
upgrade b1
downgrade b1+5
# ambiguous_walk: down through a merge, up through a branch point
upgrade a2+1
reset
rev p
rev q
rev m down=p,q
upgrade m-1
upgrade m
downgrade -1
reset
rev a1
rev a2 down=a1
rev b1 down=a2 labels=blib
rev b2 down=b1
rev e1 down=a2 labels=elib
# ambiguous_upgrade
upgrade b1
upgrade e1
upgrade +1
# ambiguous_downgrade (14)
downgrade -1
# not_valid_target
downgrade b2
downgrade blib@a1
# overlapping targets (redundant rows)
rows a1,b1
upgrade heads
# range_not_allowed
upgrade a1:b1
# unsupported: upgrading a merge whose depends_on names an ancestor of
# another parent, with both parents applied (Alembic: KeyError)
reset
rev r
rev s down=r
rev t down=r
rev u down=s,t deps=r
upgrade s
upgrade t
upgrade u
rows
upgrade u
# not_valid_target, the other wording: a branch part that leaves none of
# the revisions above the destination
reset
rev a
rev b1 down=a
rev b2 down=a
rev x labels=xlib
upgrade heads
downgrade xlib@a

----
> upgrade head
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are b2, e1, cc1.
rows:
> downgrade head
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are b2, e1, cc1.
rows:
> upgrade blib@head
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade b1 | UPDATE a2 b1
upgrade b2 | UPDATE b1 b2
rows: b2
> show head
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are b2, e1, cc1.
> upgrade heads+1
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'heads+1'; please specify a specific target revision, '<branchname>@heads+1' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are b2, e1, cc1.
rows: b2
> upgrade zzz
error UNKNOWN_REVISION: Can't locate revision identified by 'zzz'
  detail: No such revision or branch 'zzz'; please ensure at least four characters are present for partial revision identifier matches
rows: b2
> upgrade zzzzz
error UNKNOWN_REVISION: Can't locate revision identified by 'zzzzz'
  detail: No such revision or branch 'zzzzz'
rows: b2
> reset
> upgrade ae1
error AMBIGUOUS_PREFIX: Can't locate revision identified by 'ae1'
  detail: Multiple revisions start with 'ae1': 'ae1a', 'ae1b', 'ae1lab'...
  hint: Type more characters of the revision id, or the whole id.
rows:
> show ae1
error AMBIGUOUS_PREFIX: Can't locate revision identified by 'ae1'
  detail: Multiple revisions start with 'ae1': 'ae1a', 'ae1b', 'ae1lab'...
  hint: Type more characters of the revision id, or the whole id.
> reset
> upgrade nolib@head
error UNKNOWN_REVISION: Can't locate revision identified by 'nolib'
  detail: No such revision or branch 'nolib'
rows:
> upgrade blib@e1
error NOT_BRANCH_MEMBER: Can't locate revision identified by 'e1'
  detail: Revision e1 is not a member of branch 'blib'
rows:
> upgrade +9
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a2, there are 2 candidates: b1, e1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows:
> downgrade -1
error RELATIVE_RANGE: Relative revision -1 didn't produce 1 migrations
  detail: Nothing is applied.
rows:
> upgrade -1
error RELATIVE_RANGE: Relative revision -1 didn't produce 1 migrations
  detail: An upgrade cannot go down.
rows:
> upgrade b1
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade b1 | UPDATE a2 b1
rows: b1
> downgrade b1+5
error RELATIVE_RANGE: Walked too far
  detail: The walk goes past the end of the revision graph.
rows: b1
> upgrade a2+1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking up from a2, there are 2 candidates: b1, e1.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows: b1
> reset
> upgrade m-1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking down from m, there are 2 candidates: p, q.
  hint: Give an explicit revision: a walk down cannot choose between the parents of a merge.
rows:
> upgrade m
upgrade q | INSERT q
upgrade p | INSERT p
upgrade m | DELETE p ; UPDATE q m
rows: m
> downgrade -1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking down from m, there are 2 candidates: p, q.
  hint: Give an explicit revision: a walk down cannot choose between the parents of a merge.
rows: m
> reset
> upgrade b1
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade b1 | UPDATE a2 b1
rows: b1
> upgrade e1
upgrade e1 | INSERT e1
rows: b1 e1
> upgrade +1
error AMBIGUOUS_UPGRADE: Ambiguous upgrade from multiple current revisions
  detail: More than one applied head could be the starting point.
  hint: Name the branch, as in <branch>@+1, or give an explicit revision.
rows: b1 e1
> downgrade -1
error AMBIGUOUS_DOWNGRADE: downgrade -1 from multiple heads is ambiguous
  detail: The applied heads are b1, e1.
  hint: Use <branch>@-1 to name the branch to downgrade, or give an explicit revision.
rows: b1 e1
> downgrade b2
error NOT_VALID_TARGET: Destination b2 is not a valid downgrade target from current head(s)
  detail: Nothing above the destination is applied.
rows: b1 e1
> downgrade blib@a1
downgrade b1 | DELETE b1
downgrade e1 | UPDATE e1 a2
downgrade a2 | UPDATE a2 a1
rows: a1
> rows a1,b1
rows: a1 b1
> upgrade heads
error OVERLAP: Requested revision b1 overlaps with other requested revisions a1
  detail: One requested revision is an ancestor or descendant of another.
rows: a1 b1
> upgrade a1:b1
error RANGE_NOT_ALLOWED: Range revision not allowed
  detail: A range "start:end" is only meaningful for offline scripts.
rows: a1 b1
> reset
> upgrade s
upgrade r | INSERT r
upgrade s | UPDATE r s
rows: s
> upgrade t
upgrade t | INSERT t
rows: s t
> upgrade u
error UNSUPPORTED: cannot upgrade merge revision u from these version rows
  detail: Revision u lists r among its down revisions although it is already an ancestor of another of them; Alembic fails on this merge with an internal error (KeyError).
  hint: Upgrade one branch at a time, or register the merge without the redundant dependency.
rows: s t
> rows
rows:
> upgrade u
error UNSUPPORTED: cannot upgrade merge revision u from these version rows
  detail: Revision u lists r among its down revisions although it is already an ancestor of another of them; Alembic fails on this merge with an internal error (KeyError).
  hint: Upgrade one branch at a time, or register the merge without the redundant dependency.
rows:
> reset
> upgrade heads
upgrade x | INSERT x
upgrade a | INSERT a
upgrade b2 | UPDATE a b2
upgrade b1 | INSERT b1
rows: b1 b2 x
> downgrade xlib@a
error NOT_VALID_TARGET: Not a valid downgrade target from current heads
  detail: No revision above the destination is on branch 'xlib'.
rows: b1 b2 x
