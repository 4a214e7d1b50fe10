# Several bases with labels, and depends_on across branches (7.4, 7.6, 8.4).
#
#   x1 (xlib) -> x2            y1 (ylib) -> y2 (depends_on x1)
rev x1 labels=xlib
rev x2 down=x1
rev y1 labels=ylib
rev y2 down=y1 deps=x1
heads
realheads
# 7.4 (MultipleBranchEffectiveHead): y2 absorbs x1's row
upgrade ylib@head
current
upgrade xlib@head
current
# 8.4: downgrading a branch also downgrades what depends on it
downgrade xlib@base
current
downgrade ylib@base
upgrade heads
downgrade base
# 12.1: "heads" as a target means the real heads
upgrade heads
# DependsOnBranchTestTwo: d1 depends on a3, b2 and c1; downgrading d1
# brings back the rows it implied ("b2 has to be INSERTed")
reset
rev a1 labels=alib
rev a2 down=a1
rev a3 down=a2
rev b1 labels=blib
rev b2 down=b1
rev c1 labels=clib
rev d1 down=a3 deps=b2,c1
upgrade d1
current
downgrade d1-1
current
upgrade heads
downgrade alib@a2
current
downgrade base
# a dependency on a label
reset
rev p1 labels=plib
rev p2 down=p1
rev q1 deps=plib
rev q2 down=q1
upgrade q2
downgrade plib@base
# upgrade +N from rows that do not include the branch: its applied tips
reset
rev m1 labels=mlib
rev m2 down=m1
rev m3 down=m2
rev n1 deps=m2 labels=nlib
upgrade n1
current
upgrade mlib@+1
upgrade mlib@+1
----
> heads
heads: x2 y2
> realheads
realheads: x2 y2
> upgrade ylib@head
upgrade x1 | INSERT x1
upgrade y1 | INSERT y1
upgrade y2 | DELETE y1 ; UPDATE x1 y2
rows: y2
> current
current: x1 y2
> upgrade xlib@head
upgrade x2 | INSERT x2
rows: x2 y2
> current
current: x2 y2
> downgrade xlib@base
downgrade x2 | DELETE x2
downgrade y2 | INSERT y1 ; UPDATE y2 x1
downgrade x1 | DELETE x1
rows: y1
> current
current: y1
> downgrade ylib@base
downgrade y1 | DELETE y1
rows:
> upgrade heads
upgrade x1 | INSERT x1
upgrade y1 | INSERT y1
upgrade y2 | DELETE y1 ; UPDATE x1 y2
upgrade x2 | INSERT x2
rows: x2 y2
> downgrade base
downgrade x2 | DELETE x2
downgrade y2 | INSERT y1 ; UPDATE y2 x1
downgrade y1 | DELETE y1
downgrade x1 | DELETE x1
rows:
> upgrade heads
upgrade x1 | INSERT x1
upgrade y1 | INSERT y1
upgrade y2 | DELETE y1 ; UPDATE x1 y2
upgrade x2 | INSERT x2
rows: x2 y2
> reset
> upgrade d1
upgrade c1 | INSERT c1
upgrade b1 | INSERT b1
upgrade b2 | UPDATE b1 b2
upgrade a1 | INSERT a1
upgrade a2 | UPDATE a1 a2
upgrade a3 | UPDATE a2 a3
upgrade d1 | DELETE a3 ; DELETE b2 ; UPDATE c1 d1
rows: d1
> current
current: b2 c1 d1
> downgrade d1-1
downgrade d1 | INSERT a3 ; INSERT b2 ; UPDATE d1 c1
rows: a3 b2 c1
> current
current: a3 b2 c1
> upgrade heads
upgrade d1 | DELETE a3 ; DELETE b2 ; UPDATE c1 d1
rows: d1
> downgrade alib@a2
downgrade d1 | INSERT a3 ; INSERT b2 ; UPDATE d1 c1
downgrade a3 | UPDATE a3 a2
rows: a2 b2 c1
> current
current: a2 b2 c1
> downgrade base
downgrade a2 | UPDATE a2 a1
downgrade a1 | DELETE a1
downgrade b2 | UPDATE b2 b1
downgrade b1 | DELETE b1
downgrade c1 | DELETE c1
rows:
> reset
> upgrade q2
upgrade p1 | INSERT p1
upgrade q1 | UPDATE p1 q1
upgrade q2 | UPDATE q1 q2
rows: q2
> downgrade plib@base
downgrade q2 | UPDATE q2 q1
downgrade q1 | UPDATE q1 p1
downgrade p1 | DELETE p1
rows:
> reset
> upgrade n1
upgrade m1 | INSERT m1
upgrade m2 | UPDATE m1 m2
upgrade n1 | UPDATE m2 n1
rows: n1
> current
current: m2 n1
> upgrade mlib@+1
upgrade m3 | INSERT m3
rows: m3 n1
> upgrade mlib@+1
error RELATIVE_RANGE: Relative revision +1 didn't produce 1 migrations
rows: m3 n1
