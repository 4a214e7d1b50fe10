# 1.8 branch labels spread to every versioned descendant, and down to the
# labelled revision's ancestors while the walk meets no branch or merge
# point.
#
#   a -> b -> c1 (cl) -> d1
#          \-> c2 -> d2
rev a
rev b down=a
rev c1 down=b labels=cl
rev d1 down=c1
rev c2 down=b
rev d2 down=c2
labels a
labels b
labels c1
labels d1
labels c2
# a label on the first revision after a root covers the root too
# (LabeledBranchTest: ebranch@+2 from base reaches e)
reset
rev d
rev e down=d labels=ebranch
rev f down=e
show ebranch@+2
labels d
labels f
upgrade ebranch@+2
# two labels on one line, one of them further up: both spread over the line
reset
rev r1
rev r2 down=r1 labels=low
rev r3 down=r2
rev r4 down=r3 labels=high
labels r1
labels r2
labels r4
# a dependant stops the walk down (a branch point counting dependants)
reset
rev p1
rev p2 down=p1
rev q1 deps=p1
rev p3 down=p2 labels=top
labels p3
labels p2
labels p1
# a merge point stops it, and a merge of a labelled line carries the label
reset
rev m1 labels=left
rev m2
rev m3 down=m1,m2
rev m4 down=m3 labels=after
labels m3
labels m1
labels m2
labels m4
----
> labels a
labels a: own spread
> labels b
labels b: own spread
> labels c1
labels c1: own=cl spread=cl
> labels d1
labels d1: own spread=cl
> labels c2
labels c2: own spread
> reset
> show ebranch@+2
show: e
> labels d
labels d: own spread=ebranch
> labels f
labels f: own spread=ebranch
> upgrade ebranch@+2
upgrade d | INSERT d
upgrade e | UPDATE d e
rows: e
> reset
> labels r1
labels r1: own spread=low,high
> labels r2
labels r2: own=low spread=low,high
> labels r4
labels r4: own=high spread=low,high
> reset
> labels p3
labels p3: own=top spread=top
> labels p2
labels p2: own spread=top
> labels p1
labels p1: own spread
> reset
> labels m3
labels m3: own spread=left
> labels m1
labels m1: own=left spread=left
> labels m2
labels m2: own spread
> labels m4
labels m4: own=after spread=left,after
