"""Demo data for `make run`: it uses every app's services, so it sits above them all."""
