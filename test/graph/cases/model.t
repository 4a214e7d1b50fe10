# Section 1: heads, bases, branch points, dependencies, normalization.
#
#   a -> b -> c1 -> d1
#          \-> c2 -> d2        x (root, depends_on c1)
#
rev a
rev b down=a
rev c1 down=b
rev d1 down=c1
rev c2 down=b
rev d2 down=c2
rev x deps=c1
# 1.5 heads: a revision only depended on is still a head (c1 is not one
# anyway); real heads count dependencies as children
heads
realheads
# 1.6 a base with depends_on is a base but not a real base
bases
realbases
branchpoints
parents d1
deps x
# 1.3 normalization: z's ancestor y already declares c1, so z's own c1
# dependency is dropped (z upgrades as a plain move); w depends on b,
# which is an ancestor but declared by no ancestor of w, so it is kept
# (and, not being a row, does not change how w upgrades)
reset
rev a
rev b down=a
rev c1 down=b
rev c2 down=b
rev y down=c2 deps=c1
rev z down=y deps=c1
rev w down=z deps=b
deps z
upgrade heads
history
downgrade y
# a merge whose depends_on names an ancestor of its parents: Alembic
# cannot upgrade it once both parents are rows (KeyError); refused
reset
rev a
rev b down=a
rev c1 down=b
rev c2 down=b
rev y down=c2,c1 deps=a
upgrade c1
upgrade c2
upgrade y
# a dependency named by branch label is the labelled revision
reset
rev x1 labels=xlib
rev x2 down=x1
rev y1 deps=xlib
deps y1
realheads
heads
upgrade y1
current
----
> heads
heads: d1 d2 x
> realheads
realheads: d1 d2 x
> bases
bases: a x
> realbases
realbases: a
> branchpoints
branchpoints: b
> parents d1
parents: c1
> deps x
deps: c1
> reset
> deps z
deps: c1
> upgrade heads
upgrade a | INSERT a
upgrade b | UPDATE a b
upgrade c1 | UPDATE b c1
upgrade c2 | INSERT c2
upgrade y | DELETE c2 ; UPDATE c1 y
upgrade z | UPDATE y z
upgrade w | UPDATE z w
rows: w
> history
history: w z y c2 c1 b a
> downgrade y
downgrade w | UPDATE w z
downgrade z | UPDATE z y
rows: y
> reset
> upgrade c1
upgrade a | INSERT a
upgrade b | UPDATE a b
upgrade c1 | UPDATE b c1
rows: c1
> upgrade c2
upgrade c2 | INSERT c2
rows: c1 c2
> upgrade y
error UNSUPPORTED: cannot upgrade merge revision y from these version rows
  detail: Revision y lists a among its down revisions although it is already an ancestor of another of them; Alembic fails on this merge with an internal error (KeyError).
  hint: Upgrade one branch at a time, or register the merge without the redundant dependency.
rows: c1 c2
> reset
> deps y1
deps: x1
> realheads
realheads: x2 y1
> heads
heads: x2 y1
> upgrade y1
upgrade x1 | INSERT x1
upgrade y1 | UPDATE x1 y1
rows: y1
> current
current: x1 y1
