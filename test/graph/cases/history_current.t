# 10.1 current and 6.4 history.
#
#   x1 -> x2          y1 -> y2 (depends_on x1)
rev x1 labels=xlib
rev x2 down=x1
rev y1 labels=ylib
rev y2 down=y1 deps=x1
# current lists the dependency tips that have no row of their own
upgrade y2
current
rows
current
history
history base:heads
history :
history x1:
history :y2
history y1:y2
history ylib@base:ylib@head
history xlib@base:xlib@head
history x2:y2
# "current" as an end of the range, with and without rows
history current:
history :current
upgrade heads
history :current
history current:heads
history current:current
# ranges need a colon; upgrade/downgrade refuse them
history y2
history a:b:c
upgrade x1:x2
downgrade x1:x2
# a longer graph with a branch
reset
rev a
rev b down=a
rev c1 down=b
rev c2 down=b
rev m down=c1,c2
history
history b:
history c1:m
history :c1
history a:c2
history heads:
history b+1:
history c1+1:
history m-2:
----
> upgrade y2
upgrade x1 | INSERT x1
upgrade y1 | INSERT y1
upgrade y2 | DELETE y1 ; UPDATE x1 y2
rows: y2
> current
current: x1 y2
> rows
rows:
> current
current:
> history
history: x2 y2 y1 x1
> history base:heads
history: x2 y2 y1 x1
> history :
history: x2 y2 y1 x1
> history x1:
history: x2 x1
> history :y2
history: y2 y1 x1
> history y1:y2
history: y2 y1
> history ylib@base:ylib@head
history: y2 y1 x1
> history xlib@base:xlib@head
history: x2 x1
> history x2:y2
error NOT_VALID_TARGET: Requested range x2:y2 does not refer to ancestor/descendant revisions along the same branch
  detail: The start of the range is not an ancestor of its end.
> history current:
history: x2 y2 y1 x1
> history :current
history: x2 y2 y1 x1
> upgrade heads
upgrade x1 | INSERT x1
upgrade y1 | INSERT y1
upgrade y2 | DELETE y1 ; UPDATE x1 y2
upgrade x2 | INSERT x2
rows: x2 y2
> history :current
history: x2 y2 y1 x1
> history current:heads
history: x2 y2
> history current:current
error UNKNOWN_REVISION: Can't locate revision identified by 'current'
  detail: No such revision or branch 'current'
> history y2
error BAD_TARGET: History range requires [start]:[end], [start]:, or :[end]
> history a:b:c
error BAD_TARGET: History range requires [start]:[end], [start]:, or :[end]
> upgrade x1:x2
error RANGE_NOT_ALLOWED: Range revision not allowed
  detail: A range "start:end" is only meaningful for offline scripts.
rows: x2 y2
> downgrade x1:x2
error RANGE_NOT_ALLOWED: Range revision not allowed
  detail: A range "start:end" is only meaningful for offline scripts.
rows: x2 y2
> reset
> history
history: m c1 c2 b a
> history b:
history: m c1 c2 b
> history c1:m
history: m c1
> history :c1
history: c1 b a
> history a:c2
history: c2 b a
> history heads:
history: m
> history b+1:
error UNKNOWN_REVISION: Can't locate revision identified by 'b+1'
  detail: No such revision or branch 'b+1'; please ensure at least four characters are present for partial revision identifier matches
> history c1+1:
error UNKNOWN_REVISION: Can't locate revision identified by 'c1+1'
  detail: No such revision or branch 'c1+1'
> history m-2:
error UNKNOWN_REVISION: Can't locate revision identified by 'm-2'
  detail: No such revision or branch 'm-2'; please ensure at least four characters are present for partial revision identifier matches
