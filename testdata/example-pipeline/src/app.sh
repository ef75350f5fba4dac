#!/bin/sh
# The "web service": answers a greeting for a name.
greet() {
	printf 'hello, %s\n' "${1:-world}"
}
greet "$@"
