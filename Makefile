.PHONY: run dev test bench demo
run:  ## the whole system as production runs it: gunicorn (DEBUG off), static files, worker, beat
	scripts/run.sh
dev:  ## development: auto-reloading runserver with DEBUG on, worker and beat
	scripts/dev.sh
test:  ## lint, checks and the whole test suite (what CI runs)
	scripts/test.sh
