"""Make `pip install .` put the addons at odoo/addons/credit_collection (and its stock bridge,
odoo/addons/credit_collection_stock) in site-packages.

Odoo extends the `odoo.addons` namespace over every `odoo/addons` folder on sys.path, so an
installed copy is found without touching Odoo's addons path (the way OCA wheels work).
"""

import ast
import os

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = "credit_collection"  # the main addon: its manifest gives the version and summary
# Odoo installs the stock bridge by itself where Inventory is installed (auto_install).
ADDONS = (ADDON, "credit_collection_stock")


def _manifest():
    with open(os.path.join(HERE, ADDON, "__manifest__.py"), encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def _packages_and_data():
    """Every folder with an __init__.py is a package; everything else in the addon is data."""
    packages, package_dir, package_data = [], {}, {}
    roots = [os.path.join(HERE, addon) for addon in ADDONS if os.path.isdir(os.path.join(HERE, addon))]
    for folder, dirs, files in (walked for root in roots for walked in os.walk(root)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        if "__init__.py" not in files:
            continue
        rel = os.path.relpath(folder, HERE)
        name = "odoo.addons." + rel.replace(os.sep, ".")
        packages.append(name)
        package_dir[name] = rel
        data = []
        for sub, subdirs, subfiles in os.walk(folder):
            subdirs[:] = [
                d for d in subdirs if d != "__pycache__" and not os.path.exists(os.path.join(sub, d, "__init__.py"))
            ]
            for f in subfiles:
                if not f.endswith((".py", ".pyc")):
                    data.append(os.path.relpath(os.path.join(sub, f), folder))
        package_data[name] = data
    return packages, package_dir, package_data


manifest = _manifest()
packages, package_dir, package_data = _packages_and_data()

setup(
    name="odoo-addon-credit_collection",
    version=manifest["version"],
    description=manifest["summary"],
    license=manifest["license"],
    author=manifest["author"],
    python_requires=">=3.10",
    packages=packages,
    package_dir=package_dir,
    package_data=package_data,
    install_requires=list(manifest.get("external_dependencies", {}).get("python", [])),
    zip_safe=False,
)
