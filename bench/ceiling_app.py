"""The most two gunicorn workers can serve here: Flask, one INSERT and a commit a request, nothing else.

`python -m bench.api_load ceiling` drives it exactly as `intake` drives CaseHub's POST /api/v1/cases,
on the same machine and database: the difference between the two is CaseHub's own work.
"""
import os

import sqlalchemy as sa
from flask import Flask, request

from bench.api_load import CEILING_TABLE, database_engine

engine = database_engine(os.environ["DATABASE_URL"])
rows = sa.Table(CEILING_TABLE, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.JSON))
app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/api/v1/cases")
def create():
    body = request.get_json()
    with engine.begin() as connection:
        new_id = connection.execute(sa.insert(rows).values(body=body).returning(rows.c.id)).scalar_one()
    return {"id": new_id, **body}, 201
