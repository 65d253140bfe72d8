# Reads `wrk --latency` output; prints "req_per_s p50_ms p99_ms".
function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
/Requests\/sec:/ { rps = $2 }
$1 == "50.000%" || $1 == "50%" { p50 = ms($2) }
$1 == "99.000%" || $1 == "99%" { p99 = ms($2) }
END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }
