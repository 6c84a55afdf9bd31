"""What lockjaw knows of the standard library, as tables: nothing here reads code.

lockjaw sees only the package it checks, so a call of another package is opaque: its
result has no type, a constant has no value, and the call may run any code. The few
standard functions, methods and constants that real code leans on in bounds and nil
checks are listed here once. Functions are named `pkg.Func` and methods `pkg.Type.Method`
by the last element of their import path (`rand.Intn`, `rand.Rand.Intn`); the import
paths they come from are `PACKAGES`.
"""

from __future__ import annotations

import re

# import path -> the name its entries below are listed under
PACKAGES = {"sort": "sort", "math/rand": "rand", "strings": "strings", "os": "os", "io": "io",
            "io/ioutil": "ioutil", "time": "time", "math": "math", "fmt": "fmt", "encoding/binary": "binary",
            "strconv": "strconv", "bytes": "bytes", "unicode/utf8": "utf8"}

# Result types of functions. An exported name in a type is the package's own type (`*Rand` is
# `*rand.Rand`, written with whatever name the file imports the package by).
RESULTS: dict[str, tuple[str, ...]] = {
    "os.ReadFile": ("[]byte", "error"),
    "io.ReadAll": ("[]byte", "error"),
    "ioutil.ReadFile": ("[]byte", "error"),
    "ioutil.ReadAll": ("[]byte", "error"),
    "rand.New": ("*Rand",),
    "rand.Perm": ("[]int",),
    "strings.Split": ("[]string",),
    "strings.SplitAfter": ("[]string",),
    "strings.Fields": ("[]string",),
    "time.NewTicker": ("*Ticker",),
    "time.NewTimer": ("*Timer",),
}

# Types of package variables (a type not exported by its package is still named here, so that a
# local `le := binary.LittleEndian` has it and its methods are found below).
VARIABLES: dict[str, str] = {"binary.LittleEndian": "littleEndian", "binary.BigEndian": "bigEndian"}

# Field types of the standard library's structs (`ticker.C`), as for RESULTS.
FIELDS: dict[str, dict[str, str]] = {"time.Ticker": {"C": "<-chan Time"}, "time.Timer": {"C": "<-chan Time"}}

# Integer constants.
_NS = {"Nanosecond": 1, "Microsecond": 10**3, "Millisecond": 10**6, "Second": 10**9, "Minute": 60 * 10**9,
       "Hour": 3600 * 10**9}
CONSTANTS: dict[str, int] = {
    **{f"time.{k}": v for k, v in _NS.items()},
    **{f"math.MaxInt{b}": (1 << (b - 1)) - 1 for b in (8, 16, 32, 64)},
    **{f"math.MinInt{b}": -(1 << (b - 1)) for b in (8, 16, 32, 64)},
    **{f"math.MaxUint{b}": (1 << b) - 1 for b in (8, 16, 32)},
}

# Integer results bounded by an argument (see paths.Paths.call_bounds).
SEARCH_N = frozenset({"sort.Search"})  # in [0, n] for n >= 0
SEARCH_SLICE = frozenset({"sort.SearchInts", "sort.SearchStrings", "sort.SearchFloat64s"})  # in [0, len(a)]
# in [0, n); they panic unless n > 0. A *rand.Rand draws from its Source, which is the standard
# one unless the package writes its own (see Package._library).
BELOW_N = frozenset({
    "rand.Intn", "rand.Int31n", "rand.Int63n", "rand.Rand.Intn", "rand.Rand.Int31n", "rand.Rand.Int63n",
})
SPLIT = frozenset({"strings.Split", "strings.SplitAfter"})  # at least one element when sep is not empty
# math/rand draws in [0, max]
NONNEG = frozenset({f"{owner}.{d}" for owner in ("rand", "rand.Rand") for d in ("Int", "Int31", "Int63")})
_DRAWS = ("Int", "Int31", "Int63", "Uint32", "Uint64", "Float32", "Float64", "ExpFloat64", "NormFloat64", "Perm")
# Calls that change no variable of the program (sort.Search and rand.Shuffle call f).
PURE = SEARCH_SLICE | BELOW_N | SPLIT | {f"rand.{d}" for d in _DRAWS} | {f"rand.Rand.{d}" for d in _DRAWS}

# What a standard call may run of the program (see linter.analysis.writes). Calls not listed may
# run anything: another package can call back through an interface or a registered hook.
# These call back nothing, and write nothing but the bytes of a []byte argument (which hold no
# field); a variable's methods are named `pkg.Var.Method` (`binary.LittleEndian.Uint32`).
_ORDERS = ("LittleEndian", "BigEndian", "littleEndian", "bigEndian")  # the variables and their types
_ORDER_METHODS = ("Uint16", "Uint32", "Uint64", "PutUint16", "PutUint32", "PutUint64")
_STRINGS = ("Contains", "ContainsAny", "ContainsRune", "Count", "EqualFold", "HasPrefix", "HasSuffix", "Index",
            "IndexAny", "IndexByte", "IndexRune", "LastIndex", "LastIndexAny", "LastIndexByte", "Repeat",
            "Replace", "ReplaceAll", "Split", "SplitN", "SplitAfter", "SplitAfterN", "Fields", "Join", "ToLower",
            "ToUpper", "TrimSpace", "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix", "Compare",
            "Title", "Cut")
CALLS_NOTHING = frozenset({
    *(f"binary.{o}.{m}" for o in _ORDERS for m in _ORDER_METHODS),
    "binary.PutUvarint", "binary.PutVarint", "binary.Uvarint", "binary.Varint",
    *(f"strings.{f}" for f in _STRINGS), *(f"bytes.{f}" for f in _STRINGS), "bytes.Equal",
    "strconv.Itoa", "strconv.Atoi", "strconv.FormatInt", "strconv.FormatUint", "strconv.FormatBool",
    "strconv.FormatFloat", "strconv.ParseInt", "strconv.ParseUint", "strconv.ParseBool", "strconv.ParseFloat",
    "strconv.Quote", "strconv.Unquote", "strconv.AppendInt", "strconv.AppendUint", "strconv.AppendQuote",
    "math.Abs", "math.Max", "math.Min", "math.Floor", "math.Ceil", "math.Sqrt", "math.Log", "math.Pow",
    "math.IsNaN", "math.IsInf", "math.Float64bits", "math.Float64frombits", "math.Float32bits",
    "math.Float32frombits",
    "utf8.RuneLen", "utf8.RuneCount", "utf8.RuneCountInString", "utf8.DecodeRune", "utf8.DecodeRuneInString",
    "utf8.DecodeLastRune", "utf8.DecodeLastRuneInString", "utf8.EncodeRune", "utf8.ValidString", "utf8.Valid",
    "utf8.AppendRune", "time.Now", "time.Since", "time.Until", "time.Time.Sub", "time.Time.Add",
    "time.Time.After", "time.Time.Before", "time.Time.Unix", "time.Time.UnixNano", "time.Duration.Seconds",
})
# These format their arguments and may call the String, Error, Format or GoString method of
# any argument's dynamic type; they write nothing.
FORMATS = frozenset({"fmt.Sprintf", "fmt.Sprint", "fmt.Sprintln", "fmt.Errorf"})
FORMAT_METHODS = ("String", "Error", "Format", "GoString")
# These call their second argument (the less function) and permute the elements of the first.
SORTS_BY = frozenset({"sort.Slice", "sort.SliceStable"})
# These call the Len, Less and Swap methods of their argument's dynamic type.
SORTS = frozenset({"sort.Sort", "sort.Stable"})
SORT_METHODS = ("Len", "Less", "Swap")

_OWN_TYPE = re.compile(r"(?<![.\w])([A-Z]\w*)")


def variable(name: str, qualifier: str) -> str:
    """The type of the package variable `name` (`binary.LittleEndian`), qualified as the file
    names its package (`qualifier`); "" when not listed."""
    found = VARIABLES.get(name, "")
    return f"{qualifier}.{found}" if found else ""


def field(struct: str, name: str, qualifier: str) -> str:
    """The type of the field `name` of the listed struct `struct` (`time.Ticker`), as for `results`."""
    found = FIELDS.get(struct, {}).get(name, "")
    return _OWN_TYPE.sub(rf"{qualifier}.\1", found) if found else ""


def results(name: str, qualifier: str) -> tuple[str, ...]:
    """The result types of the function `name` (`os.ReadFile`), the package's own types
    qualified as the file names it (`qualifier`); () when not listed."""
    return tuple(_OWN_TYPE.sub(rf"{qualifier}.\1", t) for t in RESULTS.get(name, ()))
