# credit_collection: the two commands of the README, and the benchmarks.
.PHONY: demo test bench stop-demo pot screenshots bench-data bench-check scale-demo stop-scale-demo bench-load

demo:        ## a demo database with realistic data, served on http://localhost:8069 (admin / admin)
	bash tools/demo.sh

test:        ## lint and every test, on a throwaway PostgreSQL cluster
	bash tools/test.sh

stop-demo:   ## stop the demo's PostgreSQL cluster
	bash tools/demo.sh --stop

pot:         ## export the addon's translation template from the current code
	bash tools/pot.sh

screenshots: ## retake the README's screenshots from the demo database (headless Chromium)
	bash tools/screenshots.sh

bench:       ## every benchmark in bench/, side by side with plain Odoo and the OCA peers
	bash bench/run.sh $(SIZES)

SIZE ?= 10000
bench-data:  ## a template database of SIZE customer invoices with payments (make bench-data SIZE=100000)
	bash bench/build_data.sh $(SIZE)

bench-check: ## prove the template of SIZE invoices holds what Odoo itself would hold (+ the runner's self-test)
	bash bench/check.sh $(SIZE)

scale-demo:  ## a primary, a streaming read replica and Odoo with 4 workers; proves reports run on the replica
	bash tools/scale_demo.sh

stop-scale-demo: ## stop the scale demo (Odoo and both clusters)
	bash tools/scale_demo.sh --stop

bench-load:  ## CLIENTS concurrent clients confirming orders on --workers=4, beside plain Odoo (bench/LOAD.md)
	bash bench/load.sh $(SIZE)
