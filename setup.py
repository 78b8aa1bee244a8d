from setuptools import find_packages, setup

setup(
    name="ecsta",
    version="0.1.0",
    description=(
        "CTI middleware for Panasonic PBXs: CSTA multiplexer, TAPI-style driver, PBX simulator"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.11",
    packages=[*find_packages(include=["ecsta", "ecsta.*"]), "twisted.plugins"],
    package_data={
        "twisted": ["plugins/ecsta_plugins.py"],
        "ecsta.web": ["static/*/*"],
    },
    include_package_data=True,
    install_requires=[
        "twisted>=23.10",
        "pyopenssl>=23.0",
        "service-identity>=23.1",
        "pyasn1>=0.6.3",
        "wsproto>=1.2",
        "cryptography>=41",
        "prometheus_client>=0.17",
    ],
    extras_require={
        # The call journal in PostgreSQL instead of SQLite ([journal] postgres = DSN).
        "postgres": ["psycopg[binary]>=3.1"],
        "dev": [
            "psycopg[binary]>=3.1",
            "asn1tools>=0.166",
            "hypothesis>=6.80",
            "ruff>=0.4",
            "mypy>=1.8",
            "mypy-zope>=1.0",
        ],
    },
    entry_points={"console_scripts": ["ecsta = ecsta.cli:main"]},
    classifiers=[
        "Framework :: Twisted",
        "Programming Language :: Python :: 3.11",
        "Topic :: Communications :: Telephony",
    ],
)
