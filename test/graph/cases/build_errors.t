# Section 2 of the semantics: what building a graph refuses, and the
# wording.  Each case is a separate graph ("reset").
#
# 2.1 a revision naming itself in down_revision / depends_on
rev a
rev b down=a,b
heads
reset
rev a
rev b down=a deps=b
heads
# a dependency on the revision's own branch label is a self-loop too
# (deliberate difference: Alembic accepts it)
reset
rev a labels=al
rev b down=a deps=bl labels=bl
heads
# 1.2 characters Alembic forbids, and migrate's grammar
reset
rev a-b
heads
reset
rev a labels=x+y
heads
reset
rev head
heads
# 2.2 one label on two revisions, and a label equal to an id
reset
rev a labels=lib
rev b down=a labels=lib
heads
reset
rev a
rev b down=a labels=a
heads
reset
rev a labels=twice,twice
heads
# 2.3 cycles: only the revisions on or behind the loop are named
reset
rev a down=c
rev b down=a
rev c down=b
rev d
rev e down=d
heads
# every revision has a child: nothing to start from, all are named
reset
rev a down=b
rev b down=a
heads
# a loop through depends_on
reset
rev a
rev b down=a deps=c
rev c down=b
heads
# a loop Alembic's own check does not see (reachable from a head and a base)
reset
rev a
rev b down=a,c
rev c down=b
rev d down=c
heads
# 2.4 missing down_revision / depends_on (Alembic: KeyError)
reset
rev a
rev b down=zz
heads
reset
rev a
rev b down=a deps=nolabel
heads
# down_revision must name ids, not labels
reset
rev a labels=al
rev b down=al
heads
# 2.5 a duplicate id (Alembic warns and keeps the later one; refused)
reset
rev a
rev a
heads
reset
rev a
rev b down=a,a
heads
# names that are fine: dots, underscores, 255 bytes, Head, base1 (and 256
# bytes that is not)
reset
rev x.y_1 labels=Head,base1
rev aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa down=x.y_1
heads
show Head
name bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
name with space
name
# the empty graph
reset
heads
upgrade heads
upgrade head
downgrade base
current
history
----
> heads
> build
error SELF_LOOP: Self-loop is detected in revisions (b)
  detail: The revision names itself in its down_revision.
no graph
> reset
> heads
> build
error DEP_SELF_LOOP: Dependency self-loop is detected in revisions (b)
  detail: The revision names itself in its depends_on.
no graph
> reset
> heads
> build
error DEP_SELF_LOOP: Dependency self-loop is detected in revisions (b)
  detail: Revision b depends on its own branch label bl.
no graph
> reset
> heads
> build
error BAD_ID: Character(s) '-' not allowed in revision identifier 'a-b'
  hint: Use ASCII letters, digits, underscores and dots.
no graph
> reset
> heads
> build
error BAD_ID: Character(s) '+' not allowed in branch label 'x+y'
  hint: Use ASCII letters, digits, underscores and dots.
no graph
> reset
> heads
> build
error BAD_ID: 'head' is reserved and cannot be used as a revision identifier
  detail: The names base, head and heads are target symbols.
no graph
> reset
> heads
> build
error LABEL_CONFLICT: Branch name 'lib' in revision b already used by revision a
  detail: A branch label can be carried by one revision only.
no graph
> reset
> heads
> build
error LABEL_CONFLICT: Branch name 'a' in revision b already used by revision a
  detail: A branch label cannot be the id of a revision.
no graph
> reset
> heads
> build
error LABEL_CONFLICT: Branch name 'twice' in revision a already used by revision a
  detail: A branch label can be carried by one revision only.
no graph
> reset
> heads
> build
error CYCLE: Cycle is detected in revisions (a, b, c)
no graph
> reset
> heads
> build
error CYCLE: Cycle is detected in revisions (a, b)
  detail: There is no head or no base to start from.
no graph
> reset
> heads
> build
error DEP_CYCLE: Dependency cycle is detected in revisions (a, b, c)
  detail: There is no head or no base to start from.
no graph
> reset
> heads
> build
error CYCLE: Cycle is detected in revisions (b, c, d)
  detail: These revisions are on a loop of down revisions or dependencies, or above one.
no graph
> reset
> heads
> build
error MISSING_PARENT: Revision zz referenced from b is not present
  detail: Revision b names zz in its down_revision, but no revision of that id is registered.
no graph
> reset
> heads
> build
error MISSING_PARENT: Revision nolabel referenced from b is not present
  detail: Revision b names nolabel in its depends_on, but no revision or branch label of that name is registered.
no graph
> reset
> heads
> build
error MISSING_PARENT: Revision al referenced from b is not present
  detail: Revision b names the branch label al in its down_revision, which must name revision ids.
no graph
> reset
> heads
> build
error DUPLICATE_ID: Revision a is present more than once
  detail: Revisions number 1 and 2 of the registration order both use this id.
  hint: Give every revision its own id.
no graph
> reset
> heads
> build
error DUPLICATE_ID: Revision b lists a more than once in down_revision
no graph
> reset
> heads
heads: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
> show Head
show: x.y_1
> name bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
error BAD_ID: revision identifier is too long
  detail: It has 256 bytes; at most 255 are allowed.
> name with space
error BAD_ID: Character(s) '\x20' not allowed in revision identifier 'with space'
  hint: Use ASCII letters, digits, underscores and dots.
> name
error BAD_ID: revision identifier must not be null
> reset
> heads
heads:
> upgrade heads
rows:
> upgrade head
rows:
> downgrade base
rows:
> current
current:
> history
history:
