# Sections 5-7: what upgrade runs, in what order, and the version rows.
#
# Two branches from one base and their merge:
#   a -> b -> c1 -> d1 -\
#          \-> c2 -> d2 -> m
rev a
rev b down=a
rev c1 down=b
rev d1 down=c1
rev c2 down=b
rev d2 down=c2
rev m down=d1,d2
upgrade b
# 6.3: the branch of the head registered last is upgraded first
upgrade d1
upgrade d2
upgrade m
current
# 5.3: upgrading to an older revision, or to base, is a silent no-op
upgrade b
upgrade base
# history lists newest first
history
# the same graph, registered in another order: only map order changes
reset
rev a
rev b down=a
rev c2 down=b
rev d2 down=c2
rev c1 down=b
rev d1 down=c1
rev m down=d1,d2
upgrade m
# a three-way merge, upgraded from nothing and from two of its branches
reset
rev base0
rev x1 down=base0
rev y1 down=base0
rev z1 down=base0
rev xyz down=x1,y1,z1
upgrade xyz
downgrade base0
upgrade x1
upgrade z1
upgrade heads
# branching from a merge point (BranchFromMergepointTest)
reset
rev a1
rev a2 down=a1
rev b1
rev b2 down=b1
rev mp down=a2,b2
rev c1 down=mp
rev c2 down=mp
rev d1 down=c1
rev d2 down=c2
upgrade heads
downgrade mp
downgrade base
upgrade d1
upgrade d2
# 5.4: targets that overlap
upgrade c1,d1
reset
rev a
rev b down=a
rev c down=b
rows a,c
upgrade heads
----
> upgrade b
upgrade a | INSERT a
upgrade b | UPDATE a b
rows: b
> upgrade d1
upgrade c1 | UPDATE b c1
upgrade d1 | UPDATE c1 d1
rows: d1
> upgrade d2
upgrade c2 | INSERT c2
upgrade d2 | UPDATE c2 d2
rows: d1 d2
> upgrade m
upgrade m | DELETE d1 ; UPDATE d2 m
rows: m
> current
current: m
> upgrade b
rows: m
> upgrade base
rows: m
> history
history: m d1 c1 d2 c2 b a
> reset
> upgrade m
upgrade a | INSERT a
upgrade b | UPDATE a b
upgrade c2 | UPDATE b c2
upgrade d2 | UPDATE c2 d2
upgrade c1 | INSERT c1
upgrade d1 | UPDATE c1 d1
upgrade m | DELETE d1 ; UPDATE d2 m
rows: m
> reset
> upgrade xyz
upgrade base0 | INSERT base0
upgrade z1 | UPDATE base0 z1
upgrade y1 | INSERT y1
upgrade x1 | INSERT x1
upgrade xyz | DELETE x1 ; DELETE y1 ; UPDATE z1 xyz
rows: xyz
> downgrade base0
downgrade xyz | INSERT x1 ; INSERT y1 ; UPDATE xyz z1
downgrade x1 | DELETE x1
downgrade y1 | DELETE y1
downgrade z1 | UPDATE z1 base0
rows: base0
> upgrade x1
upgrade x1 | UPDATE base0 x1
rows: x1
> upgrade z1
upgrade z1 | INSERT z1
rows: x1 z1
> upgrade heads
upgrade y1 | INSERT y1
upgrade xyz | DELETE x1 ; DELETE y1 ; UPDATE z1 xyz
rows: xyz
> reset
> upgrade heads
upgrade b1 | INSERT b1
upgrade b2 | UPDATE b1 b2
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade mp | DELETE a2 ; UPDATE b2 mp
upgrade c2 | UPDATE mp c2
upgrade d2 | UPDATE c2 d2
upgrade c1 | INSERT c1
upgrade d1 | UPDATE c1 d1
rows: d1 d2
> downgrade mp
downgrade d1 | UPDATE d1 c1
downgrade c1 | DELETE c1
downgrade d2 | UPDATE d2 c2
downgrade c2 | UPDATE c2 mp
rows: mp
> downgrade base
downgrade mp | INSERT a2 ; UPDATE mp b2
downgrade a2 | UPDATE a2 a1
downgrade a1 | DELETE a1
downgrade b2 | UPDATE b2 b1
downgrade b1 | DELETE b1
rows:
> upgrade d1
upgrade b1 | INSERT b1
upgrade b2 | UPDATE b1 b2
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade mp | DELETE a2 ; UPDATE b2 mp
upgrade c1 | UPDATE mp c1
upgrade d1 | UPDATE c1 d1
rows: d1
> upgrade d2
upgrade c2 | INSERT c2
upgrade d2 | UPDATE c2 d2
rows: d1 d2
> upgrade c1,d1
error UNKNOWN_REVISION: Can't locate revision identified by 'c1,d1'
  detail: No such revision or branch 'c1,d1'
rows: d1 d2
> reset
> rows a,c
rows: a c
> upgrade heads
error OVERLAP: Requested revision c overlaps with other requested revisions a
  detail: One requested revision is an ancestor or descendant of another.
rows: a c
