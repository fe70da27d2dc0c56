.PHONY: run test bench demo
run:  ## install, migrate, demo data, web server, worker and beat
	scripts/run.sh
test:  ## lint, checks and the whole test suite (what CI runs)
	scripts/test.sh
