.PHONY: run dev test bench demo
run:  ## the whole system as production runs it: gunicorn (DEBUG off), static files, worker, beat
	scripts/run.sh
dev:  ## development: auto-reloading runserver with DEBUG on, worker and beat
	scripts/dev.sh
test:  ## lint, checks and the whole test suite (what CI runs)
	scripts/test.sh
bench:  ## the benchmarks B1-B7 with their same-run baselines (JSON in var/benchmarks/); BENCH="b4" for one
	scripts/bench.sh
