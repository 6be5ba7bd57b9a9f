"""Take the README's screenshots from the demo database, in headless Chromium (`make screenshots`).

Drives Chromium through the DevTools protocol (websocket-client, which Odoo's own tours use too),
so the pictures always show the current code and demo data. Each screen: a user, a URL, an optional
action to run once the page is ready, and the element to wait for.
"""

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
import xmlrpc.client

import websocket

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "docs", "screenshots")

# (file name, login, path, JS action or None, CSS selector that shows the screen is ready)
SCREENS = [
    (
        "order_refused",
        "cc_sales",
        "/odoo/action-sale.action_quotations_with_onboarding/{credit_collection.demo_so_amber}",
        "document.querySelector('.o_form_view button[name=action_confirm]').click()",
        ".modal .o_error_dialog, .modal-body:not(:empty)",
    ),
    (
        "order_blocked_form",
        "cc_sales",
        "/odoo/action-sale.action_quotations_with_onboarding/{credit_collection.demo_so_amber}",
        "document.querySelector('a[name=credit]') && document.querySelector('a[name=credit]').click()",
        "button[name=action_request_credit_approval]",
    ),
    (
        "customer_credit_tab",
        "cc_manager",
        "/odoo/action-credit_collection.res_partner_action_credit/{credit_collection.demo_partner_blueharbor}",
        "document.querySelector('a[name=credit_control]').click()",
        "div[name=credit_exposure]",
    ),
    (
        "approvals",
        "cc_manager",
        "/odoo/action-credit_collection.credit_approval_action",
        None,
        ".o_data_row",
    ),
    (
        "customers_credit_list",
        "cc_manager",
        "/odoo/action-credit_collection.credit_customer_report_action",
        None,
        ".o_data_row",
    ),
    (
        "review_score",
        "cc_manager",
        "/odoo/action-credit_collection.credit_review_action/{credit_collection.credit_review_readymat_current}",
        None,
        "div[name=score_line_ids]",
    ),
    (
        "worklist",
        "cc_manager",
        "/odoo/action-credit_collection.credit_collection_worklist_action",
        None,
        ".o_data_row",
    ),
    (
        "aging_pivot",
        "cc_manager",
        "/odoo/action-credit_collection.credit_aging_report_action",
        "document.querySelector('.o_switch_view.o_pivot') && document.querySelector('.o_switch_view.o_pivot').click()",
        ".o_pivot table",
    ),
    (
        "aging_graph",
        "cc_manager",
        "/odoo/action-credit_collection.credit_aging_report_action",
        "document.querySelector('.o_switch_view.o_graph') && document.querySelector('.o_switch_view.o_graph').click()",
        ".o_graph_renderer canvas",
    ),
    (
        "provision_run",
        "cc_manager",
        "/odoo/action-credit_collection.credit_provision_run_action/{credit_collection.demo_provision_run}",
        None,
        ".o_form_view .o_field_widget",
    ),
    (
        "grade_rates",
        "cc_manager",
        "/odoo/action-credit_collection.credit_aging_bucket_set_action/{credit_collection.aging_bucket_set_days}",
        "document.querySelector('a[name=grade_rates]').click()",
        "div[name=grade_rate_ids] .o_data_row",
    ),
    (
        "cashin_forecast",
        "cc_manager",
        "/odoo/action-credit_collection.credit_cashin_forecast_action",
        None,
        ".o_graph_renderer canvas",
    ),
    (
        "delivery_held",
        "admin",
        "/odoo/action-sale.action_orders/{credit_collection_stock.demo_so_greyfalcon}",
        "document.querySelector('button[name=action_view_delivery]').click()",
        ".o_form_view .o_field_widget[name=move_ids_without_package]",
    ),
    (
        "delivery_approval_request",
        "admin",
        "/odoo/action-sale.action_orders/{credit_collection_stock.demo_so_greyfalcon}",
        "(async () => {"
        " document.querySelector('button[name=action_view_delivery]').click();"
        " for (let i = 0; i < 100 && !document.querySelector('button[name=action_request_credit_approval]'); i++)"
        "  await new Promise((r) => setTimeout(r, 200));"
        " document.querySelector('button[name=action_request_credit_approval]').click();"
        "})()",
        ".modal .o_field_widget[name=check_message]",
    ),
    (
        "stage_channels",
        "cc_manager",
        "/odoo/action-credit_collection.credit_collection_strategy_action/{credit_collection.collection_strategy_standard}",
        None,
        ".o_form_view .o_field_widget",
    ),
    (
        "letters_to_print",
        "cc_manager",
        "/odoo/action-credit_collection.credit_collection_letter_action",
        None,
        ".o_data_row",
    ),
    (
        "payment_plan",
        "cc_manager",
        "/odoo/action-credit_collection.credit_payment_plan_action/{credit_collection.demo_plan_willow}",
        None,
        ".o_form_view .o_field_widget",
    ),
    # The same screens for a user who works in Chinese (cc_zh), to look at both languages side by side.
    (
        "customers_credit_list_zh",
        "cc_zh",
        "/odoo/action-credit_collection.credit_customer_report_action",
        None,
        ".o_data_row",
    ),
    (
        "payment_plan_zh",
        "cc_zh",
        "/odoo/action-credit_collection.credit_payment_plan_action/{credit_collection.demo_plan_willow}",
        None,
        ".o_form_view .o_field_widget",
    ),
    (
        "worklist_zh",
        "cc_zh",
        "/odoo/action-credit_collection.credit_collection_worklist_action",
        None,
        ".o_data_row",
    ),
    (
        "customer_credit_tab_zh",
        "cc_zh",
        "/odoo/action-credit_collection.res_partner_action_credit/{credit_collection.demo_partner_blueharbor}",
        "document.querySelector('a[name=credit_control]').click()",
        "div[name=credit_exposure]",
    ),
    (
        "aging_pivot_zh",
        "cc_zh",
        "/odoo/action-credit_collection.credit_aging_report_action",
        "document.querySelector('.o_switch_view.o_pivot') && document.querySelector('.o_switch_view.o_pivot').click()",
        ".o_pivot table",
    ),
    (
        "provision_run_zh",
        "cc_zh",
        "/odoo/action-credit_collection.credit_provision_run_action/{credit_collection.demo_provision_run}",
        None,
        ".o_form_view .o_field_widget",
    ),
    (
        "statement",
        "cc_manager",
        "/report/html/credit_collection.report_credit_statement/{credit_collection.demo_partner_blueharbor}",
        None,
        ".page",
    ),
]


class Browser:
    def __init__(self, width=1440, height=900):
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not binary:
            raise SystemExit("Chromium not found: install the Debian package 'chromium'.")
        self.profile = tempfile.mkdtemp(prefix="cc-shots-")
        port = 9333
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _i in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2) as resp:
                    pages = [t for t in json.load(resp) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("Chromium did not start")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30)
        self.seq = 0
        self.call("Page.enable")

    def call(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.seq:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return res.get("result", {}).get("value")

    def goto(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'")

    def wait(self, condition, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(f"!!({condition})"):
                return
            time.sleep(0.25)
        raise RuntimeError(f"timed out waiting for {condition}")

    def wait_selector(self, selector, timeout=30):
        self.wait(f"document.querySelector({json.dumps(selector)})", timeout)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(browser, base, db, user):
    browser.call("Network.clearBrowserCookies")
    browser.goto(f"{base}/web/login?db={db}")
    browser.js(
        f"document.querySelector('input[name=login]').value = {json.dumps(user)};"
        f"document.querySelector('input[name=password]').value = {json.dumps(user if user != 'admin' else 'admin')};"
        "document.querySelector('form.oe_login_form').submit();"
    )
    time.sleep(1)
    browser.wait("document.readyState === 'complete' && !location.pathname.startsWith('/web/login')")


def resolve(base, db, path):
    """Replace {module.xmlid} in a path by the record id (XML-RPC as admin)."""

    def one(match):
        module, name = match.group(1).split(".", 1)
        uid = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common").authenticate(db, "admin", "admin", {})
        rows = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object").execute_kw(
            db,
            uid,
            "admin",
            "ir.model.data",
            "search_read",
            [[("module", "=", module), ("name", "=", name)]],
            {"fields": ["res_id"]},
        )
        if not rows:
            raise SystemExit(f"{match.group(1)} not found: is the demo database built with demo data?")
        return str(rows[0]["res_id"])

    return re.sub(r"\{([\w.]+)\}", one, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="credit_collection_demo")
    parser.add_argument("--only", help="comma-separated screen names")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    browser = Browser()
    wanted = set(args.only.split(",")) if args.only else None
    try:
        current = None
        for name, user, path, action, ready in SCREENS:
            if wanted and name not in wanted:
                continue
            if user != current:
                login(browser, args.url, args.db, user)
                current = user
            browser.goto(args.url + resolve(args.url, args.db, path))
            if path.startswith("/odoo"):
                browser.wait_selector(".o_action_manager .o_view_controller, .o_action_manager .o_form_view")
            time.sleep(1.0)
            if action:
                browser.js(action)
            browser.wait_selector(ready)
            time.sleep(1.0)  # let transitions and charts settle
            browser.screenshot(os.path.join(OUT, f"{name}.png"))
            print(f"docs/screenshots/{name}.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
