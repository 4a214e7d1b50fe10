# Wall time of the suites, for test/run.sh and test/in_cluster.sh (sourced).
# Timings are printed, never checked: figures to compare go to make bench.

# seconds since start (an $EPOCHREALTIME), one decimal
suite_seconds() {
	local now=$EPOCHREALTIME
	# the decimal point as the C locale writes it, whatever LC_NUMERIC says
	awk -v a="${1/,/.}" -v b="${now/,/.}" 'BEGIN { printf "%.1f", b - a }'
}

# the table of the suites: one "VERDICT<TAB>SECONDS<TAB>NAME" argument each,
# in the order they ran, then the total
suite_table() {
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | awk -F '\t' '
		BEGIN { printf "%-6s %8s  %s\n", "result", "seconds", "suite" }
		{ printf "%-6s %8.1f  %s\n", $1, $2, $3; total += $2 }
		END { printf "%-6s %8.1f  %s\n", "", total, "total" }'
}
