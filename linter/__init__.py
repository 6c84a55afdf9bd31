"""lockjaw: find locks held across panics, leaked locks and deadlocks in Go code."""

__version__ = "0.1.0"
