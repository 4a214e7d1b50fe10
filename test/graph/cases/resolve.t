# Section 3: resolving identifiers (shown with "show", which is
# alembic show: RevisionMap.get_revisions).
#
# ids: abcd1, abcd2, ae10 (label aeon), f00, f00d
rev abcd1
rev abcd2 down=abcd1
rev ae10 down=abcd2 labels=aeon
rev f00 down=ae10
rev f00d down=f00 labels=fl
# exact ids and labels
show abcd1
show aeon
show fl
# prefixes: only keys longer than 3 characters take part, the typed
# prefix may be short, and labels take part too
show abcd
show abc
show ae1
show aeo
show f00
show f0
show f
show fl
show zz
show zzzzz
# heads, head, base
show heads
show head
show base
# 3.4 the branch part: a label, an id, an id prefix
show aeon@head
show aeon@heads
show abcd1@head
show ae10@f00d
show f00d@abcd2
show aeo@f00d
show nosuch@head
show nosuch@f00d
show aeon@base
show nosuch@base
# an empty symbol: "x@" (Alembic: AssertionError)
show aeon@
show @
# 3.5 upgrade says the same as show
upgrade abc
upgrade nosuch@head
upgrade aeon@zzzz
# 3.3 step 5: lineage is checked for prefixes and for exact ids
reset
rev base1
rev xa1 down=base1 labels=xlib
rev ya1 down=base1 labels=ylib
rev xa2 down=xa1
rev ya2 down=ya1
show xlib@xa
show ylib@xa
show xa
show xlib@ya2
show ylib@ya2
show xlib@head
show head
show xlib@heads
show heads
show base1@heads
show ya1@xa2
show ya2@base1
----
> show abcd1
show: abcd1
> show aeon
show: ae10
> show fl
show: f00d
> show abcd
error AMBIGUOUS_PREFIX: Can't locate revision identified by 'abcd'
  detail: Multiple revisions start with 'abcd': 'abcd1', 'abcd2'...
  hint: Type more characters of the revision id, or the whole id.
> show abc
error AMBIGUOUS_PREFIX: Can't locate revision identified by 'abc'
  detail: Multiple revisions start with 'abc': 'abcd1', 'abcd2'...
  hint: Type more characters of the revision id, or the whole id.
> show ae1
show: ae10
> show aeo
show: ae10
> show f00
show: f00
> show f0
show: f00d
> show f
show: f00d
> show fl
show: f00d
> show zz
error UNKNOWN_REVISION: Can't locate revision identified by 'zz'
  detail: No such revision or branch 'zz'; please ensure at least four characters are present for partial revision identifier matches
> show zzzzz
error UNKNOWN_REVISION: Can't locate revision identified by 'zzzzz'
  detail: No such revision or branch 'zzzzz'
> show heads
show: f00d
> show head
show: f00d
> show base
show:
> show aeon@head
show: f00d
> show aeon@heads
show: f00d
> show abcd1@head
show: f00d
> show ae10@f00d
show: f00d
> show f00d@abcd2
show: abcd2
> show aeo@f00d
show: f00d
> show nosuch@head
error UNKNOWN_REVISION: Can't locate revision identified by 'nosuch'
  detail: No such revision or branch 'nosuch'
> show nosuch@f00d
error NO_SUCH_BRANCH: Can't locate revision identified by 'nosuch'
  detail: No such branch: 'nosuch'
> show aeon@base
show:
> show nosuch@base
show:
> show aeon@
error UNKNOWN_REVISION: Can't locate revision identified by ''
  detail: No such revision or branch ''; please ensure at least four characters are present for partial revision identifier matches
> show @
error UNKNOWN_REVISION: Can't locate revision identified by ''
  detail: No such revision or branch ''; please ensure at least four characters are present for partial revision identifier matches
> upgrade abc
error AMBIGUOUS_PREFIX: Can't locate revision identified by 'abc'
  detail: Multiple revisions start with 'abc': 'abcd1', 'abcd2'...
  hint: Type more characters of the revision id, or the whole id.
rows:
> upgrade nosuch@head
error UNKNOWN_REVISION: Can't locate revision identified by 'nosuch'
  detail: No such revision or branch 'nosuch'
rows:
> upgrade aeon@zzzz
error UNKNOWN_REVISION: Can't locate revision identified by 'zzzz'
  detail: No such revision or branch 'zzzz'
rows:
> reset
> show xlib@xa
error UNKNOWN_REVISION: Can't locate revision identified by 'xa'
  detail: No such revision or branch 'xa'; please ensure at least four characters are present for partial revision identifier matches
> show ylib@xa
error UNKNOWN_REVISION: Can't locate revision identified by 'xa'
  detail: No such revision or branch 'xa'; please ensure at least four characters are present for partial revision identifier matches
> show xa
error UNKNOWN_REVISION: Can't locate revision identified by 'xa'
  detail: No such revision or branch 'xa'; please ensure at least four characters are present for partial revision identifier matches
> show xlib@ya2
error NOT_BRANCH_MEMBER: Can't locate revision identified by 'ya2'
  detail: Revision ya2 is not a member of branch 'xlib'
> show ylib@ya2
show: ya2
> show xlib@head
show: xa2
> show head
error MULTIPLE_HEADS: Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads
  detail: The heads are xa2, ya2.
> show xlib@heads
show: xa2
> show heads
show: xa2 ya2
> show base1@heads
show: xa2 ya2
> show ya1@xa2
error NOT_BRANCH_MEMBER: Can't locate revision identified by 'xa2'
  detail: Revision xa2 is not a member of branch 'ya1'
> show ya2@base1
show: base1
