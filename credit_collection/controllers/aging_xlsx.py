"""The aging XLSX of the "Aging at a Date" wizard, generated on each request into a temporary file
and streamed from it: neither the rows nor the file are held in memory."""

import tempfile

from werkzeug.wsgi import wrap_file

from odoo.http import Controller, Response, content_disposition, request, route

from .provision_xlsx import XLSX_MIMETYPE


class CreditAgingXlsxController(Controller):
    # read-only: served by a read replica when Odoo has one (db_replica_host); the parameters come
    # in the link, so the replica needs nothing written by the request that made it
    @route("/credit_collection/aging/xlsx", type="http", auth="user", methods=["GET"], readonly=True)
    def aging_xlsx(self, **params):
        # the engine's reader check, the report's access rules and the user's companies apply
        request.env["credit.aging.engine"]._check_reader()
        wizard = request.env["credit.aging.wizard"]._from_export_params(params)
        output = tempfile.TemporaryFile()  # removed when the response has sent it and closes it
        try:
            request.env["credit.aging.xlsx"]._write(wizard, output)
        except Exception:
            output.close()
            raise
        size = output.tell()
        output.seek(0)
        return Response(
            wrap_file(request.httprequest.environ, output),
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(wizard._export_file_name())),
            ],
            direct_passthrough=True,
        )
