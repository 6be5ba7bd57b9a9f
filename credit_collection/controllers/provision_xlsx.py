"""The provision run's XLSX, generated on each request and streamed: nothing is stored per click."""

from odoo.http import Controller, content_disposition, request, route

from ..replica import retry_on_primary_if_older

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CreditProvisionXlsxController(Controller):
    # read-only: served by a read replica when Odoo has one (db_replica_host)
    @route("/credit_collection/provision/<int:run_id>/xlsx", type="http", auth="user", methods=["GET"], readonly=True)
    def provision_xlsx(self, run_id, written=None):
        run = request.env["credit.provision.run"].browse(run_id).exists()
        if not run:
            raise request.not_found()
        retry_on_primary_if_older(run, written)
        # whoever may read the run may export it (record rules included): an AccessError is a 403
        run.check_access("read")
        content, filename = request.env["credit.provision.xlsx"].with_company(run.company_id)._file(run)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
