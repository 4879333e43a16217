"""Developer tools run from a checkout (`make bench`, `make loadtest`); not part of the installed product."""
