"""Fields assigned only while their object is private keep their value once it is shared."""

from __future__ import annotations

from tests.go_snippets import package

_SRC = """package p

type ctl struct{ levels []int }

type kv struct {
	lc    *ctl
	late  *ctl
	named *ctl
	loop  *ctl
	lit   *ctl
	n     int
	m     int
}

var all []*kv

func open() *kv {
	k := &kv{}
	k.lc = &ctl{}
	k.n++
	all = append(all, k)
	k.late = &ctl{}
	return k
}

func openNamed() (k *kv) {
	k = &kv{}
	k.named = &ctl{}
	return k
}

func openLoop() {
	k := &kv{}
	for i := 0; i < 2; i++ {
		k.loop = &ctl{}
		all = append(all, k)
	}
}

func openLiteral() *kv {
	k := &kv{}
	go func() { k.lit = &ctl{} }()
	return k
}

func bump(k kv) kv {
	k.m++
	return k
}

func openJump() *kv {
	k := &kv{}
again:
	k.n = 1
	all = append(all, k)
	goto again
}
"""


def test_writes_of_a_private_object_leave_a_field_fixed() -> None:
    fields = package(_SRC.replace("again:\n\tk.n = 1\n\tall = append(all, k)\n\tgoto again\n", "\treturn k\n")).fixed_fields
    assert fields.kind("kv", "lc") == "value"  # set before k is shared
    assert fields.kind("kv", "n") == "value"  # k.n++ too
    assert fields.kind("kv", "late") == ""  # set after `all = append(all, k)` shared k
    assert fields.kind("kv", "named") == ""  # a named result is not a fresh local
    assert fields.kind("kv", "loop") == ""  # the second round writes a shared object
    assert fields.kind("kv", "lit") == ""  # the goroutine writes after k is returned
    assert fields.kind("kv", "m") == ""  # a copy's field, which may be written back whole


def test_a_jump_back_may_write_after_the_escape() -> None:
    assert package(_SRC).fixed_fields.kind("kv", "n") == ""
