# Section 8: what downgrade runs.
#
#   a -> b -> c1 -> d1
#          \-> c2 -> d2
rev a
rev b down=a
rev c1 down=b labels=c1branch
rev d1 down=c1
rev c2 down=b
rev d2 down=c2
upgrade heads
# 6.3: downgrade drains the branch of the first head first
downgrade b
upgrade heads
# 8.3: a branch part limits the roots to that branch
downgrade c1branch@b
downgrade b
# 8.5: a destination above the rows; the rows themselves; below with
# nothing to drop
downgrade d1
downgrade b
downgrade a
downgrade base
downgrade base
# a destination not on any current branch
upgrade d1
downgrade c2
downgrade c1branch@c2
# 14: downgrade -1 with several rows is refused (Alembic picks the
# physically first row)
upgrade heads
downgrade -1
downgrade c1branch@-1
downgrade -1
# 7.7, issue 1373 (the fixed behaviour): a1; b1 depends on a1;
# bmerge merges them
reset
rev a1
rev b1 deps=a1
rev bmerge down=a1,b1
upgrade bmerge
current
downgrade a1
current
upgrade heads
# a downgrade that restores several rows at once
reset
rev r
rev s1 down=r
rev s2 down=r
rev s3 down=r
rev t down=s1,s2,s3
upgrade t
downgrade -1
downgrade r
----
> upgrade heads
upgrade a | INSERT a
upgrade b | UPDATE a b
upgrade c2 | UPDATE b c2
upgrade d2 | UPDATE c2 d2
upgrade c1 | INSERT c1
upgrade d1 | UPDATE c1 d1
rows: d1 d2
> downgrade b
downgrade d1 | UPDATE d1 c1
downgrade c1 | DELETE c1
downgrade d2 | UPDATE d2 c2
downgrade c2 | UPDATE c2 b
rows: b
> upgrade heads
upgrade c2 | UPDATE b c2
upgrade d2 | UPDATE c2 d2
upgrade c1 | INSERT c1
upgrade d1 | UPDATE c1 d1
rows: d1 d2
> downgrade c1branch@b
downgrade d1 | UPDATE d1 c1
downgrade c1 | DELETE c1
rows: d2
> downgrade b
downgrade d2 | UPDATE d2 c2
downgrade c2 | UPDATE c2 b
rows: b
> downgrade d1
error NOT_VALID_TARGET: Destination d1 is not a valid downgrade target from current head(s)
  detail: Nothing above the destination is applied.
rows: b
> downgrade b
rows: b
> downgrade a
downgrade b | UPDATE b a
rows: a
> downgrade base
downgrade a | DELETE a
rows:
> downgrade base
rows:
> upgrade d1
upgrade a | INSERT a
upgrade b | UPDATE a b
upgrade c1 | UPDATE b c1
upgrade d1 | UPDATE c1 d1
rows: d1
> downgrade c2
error NOT_VALID_TARGET: Destination c2 is not a valid downgrade target from current head(s)
  detail: Nothing above the destination is applied.
rows: d1
> downgrade c1branch@c2
error NOT_VALID_TARGET: Destination c1branch@c2 is not a valid downgrade target from current head(s)
  detail: Nothing above the destination is applied.
rows: d1
> upgrade heads
upgrade c2 | INSERT c2
upgrade d2 | UPDATE c2 d2
rows: d1 d2
> downgrade -1
error AMBIGUOUS_DOWNGRADE: downgrade -1 from multiple heads is ambiguous
  detail: The applied heads are d1, d2.
  hint: Use <branch>@-1 to name the branch to downgrade, or give an explicit revision.
rows: d1 d2
> downgrade c1branch@-1
downgrade d1 | UPDATE d1 c1
rows: c1 d2
> downgrade -1
error AMBIGUOUS_DOWNGRADE: downgrade -1 from multiple heads is ambiguous
  detail: The applied heads are c1, d2.
  hint: Use <branch>@-1 to name the branch to downgrade, or give an explicit revision.
rows: c1 d2
> reset
> upgrade bmerge
upgrade a1 | INSERT a1
upgrade b1 | UPDATE a1 b1
upgrade bmerge | UPDATE b1 bmerge
rows: bmerge
> current
current: bmerge
> downgrade a1
downgrade bmerge | UPDATE bmerge b1
rows: b1
> current
current: a1 b1
> upgrade heads
upgrade bmerge | UPDATE b1 bmerge
rows: bmerge
> reset
> upgrade t
upgrade r | INSERT r
upgrade s3 | UPDATE r s3
upgrade s2 | INSERT s2
upgrade s1 | INSERT s1
upgrade t | DELETE s1 ; DELETE s2 ; UPDATE s3 t
rows: t
> downgrade -1
error AMBIGUOUS_WALK: Ambiguous walk
  detail: Walking down from t, there are 3 candidates: s1, s2, s3.
  hint: Give an explicit revision: a walk down cannot choose between the parents of a merge.
rows: t
> downgrade r
downgrade t | INSERT s1 ; INSERT s2 ; UPDATE t s3
downgrade s1 | DELETE s1
downgrade s2 | DELETE s2
downgrade s3 | UPDATE s3 r
rows: r
