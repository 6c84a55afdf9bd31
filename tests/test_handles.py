"""Handles built by setters on a fresh local, and what a handle's methods can release (bolt's Tx)."""

from __future__ import annotations

from pathlib import Path

from linter.analysis.package import Package
from linter.analysis.syntax import walk_expr
from linter.source import SourceFile

SOURCE = """package x

import "sync"

type DB struct {
	rwlock   sync.Mutex
	mmaplock sync.RWMutex
	hook     func(*Tx)
}

type Tx struct {
	db       *DB
	writable bool
}

func (tx *Tx) init(db *DB) { tx.db = db }

func (tx *Tx) initIf(db *DB, ok bool) {
	if ok {
		tx.db = db
	}
}

func (tx *Tx) initHooked(db *DB) {
	tx.db = db
	db.hook(tx)
}

func (tx *Tx) close() {
	if tx.writable {
		tx.db.rwlock.Unlock()
	} else {
		tx.db.mmaplock.RUnlock()
	}
	tx.db = nil
}

func (db *DB) begin() *Tx {
	db.mmaplock.RLock()
	t := &Tx{}
	t.init(db)
	return t
}

func (db *DB) beginUsed() *Tx {
	db.mmaplock.RLock()
	t := &Tx{}
	use(t)
	t.init(db)
	return t
}

func use(*Tx) {}
"""


def _package() -> Package:
    return Package([SourceFile(Path("x.go"), "x.go", SOURCE.encode())])


def _fn(pkg: Package, name: str):
    return next(f for f in pkg.functions if f.display_name == name)


def _returned(pkg: Package, name: str):
    fn = _fn(pkg, name)
    ret = next(n for n in walk_expr(fn.body) if n.type == "return_statement")
    return pkg.handles.returned(fn, ret)


def test_setters_set_a_field_from_a_parameter_on_every_path_only():
    pkg = _package()
    assert pkg.handles.sets(_fn(pkg, "Tx.init")) == (("db", 0),)
    assert pkg.handles.sets(_fn(pkg, "Tx.initIf")) == ()  # on one path
    assert pkg.handles.sets(_fn(pkg, "Tx.initHooked")) == ()  # the hook may write anything, tx given to it
    assert pkg.handles.sets(_fn(pkg, "Tx.close")) == ()


def test_a_fresh_local_gets_the_back_pointer_its_setter_sets():
    pkg = _package()
    (handle,) = _returned(pkg, "DB.begin")
    assert handle.type == "Tx" and dict(handle.fields) == {"db": "db"}
    assert _returned(pkg, "DB.beginUsed") == ()  # used before the setter: no longer fresh


def test_a_handle_may_release_what_one_branch_of_a_method_unlocks():
    pkg = _package()
    (handle,) = _returned(pkg, "DB.begin")
    assert pkg.handles.may_release(handle) == {("db.rwlock", True), ("db.mmaplock", False)}


def test_facts_do_not_depend_on_the_order_they_are_asked_in():
    first, second = _package(), _package()
    for f in reversed(second.functions):
        if f.receiver:
            second.handles.sets(f)
    (a,), (b,) = _returned(first, "DB.begin"), _returned(second, "DB.begin")
    assert a == b and first.handles.may_release(a) == second.handles.may_release(b)
