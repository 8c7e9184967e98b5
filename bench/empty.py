# An empty program: what `epython` costs by itself (bench/run-bench.sh).
